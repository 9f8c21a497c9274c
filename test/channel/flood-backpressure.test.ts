import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../helpers/herd.js';
import { primaryModule } from '../helpers/channel.js';

// 40k messages of 2.5 KB (≈ 100 MB) to a slow reader, with every process capped
// at a 40 MB heap: it only completes if the flood waits ('drain') instead of
// piling up in the primary or the sender.
test('a flood of 40k messages of 2.5 KB completes under a heap limit smaller than the data, waiting for drain', async (t) => {
  const home = tempDir();
  const herd = await startHerd(t, [fixture('channel-flood.js'), '-w', '2', ...primaryModule(home, 'channel-memory-probe.js')], {
    home,
    env: { COUNT: '40000', SIZE: '2560', NODE_OPTIONS: '--max-old-space-size=40' },
  });
  const sent = await herd.waitFor(/^A \d+ \| A sent 40000 waited (\d+) peak rss \d+$/m, 120_000);
  await herd.waitFor(/^B \d+ \| B received 40000 peak rss \d+$/m, 120_000);
  await herd.waitFor(/^primary \d+ \| primary base rss \d+ peak rss \d+$/m, 120_000);
  // Backpressure was felt: the sender had to wait at least once.
  assert.ok(Number(sent[1]) > 0, `sender never waited: ${sent[0]}`);
  assert.doesNotMatch(herd.output, /heap out of memory/);
  const status = await herd.status();
  assert.deepEqual(status.workers.map((w) => w.restarts), [0, 0]);
});
