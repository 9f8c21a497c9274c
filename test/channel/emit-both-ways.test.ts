import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../helpers/herd.js';
import { primaryModule } from '../helpers/channel.js';

for (const workers of [2, 3]) {
  test(`workers emit to the primary module, which answers one worker and emits to all (${workers} workers)`, async (t) => {
    const home = tempDir();
    const herd = await startHerd(t, [fixture('channel-ping-primary.js'), '-w', String(workers), ...primaryModule(home, 'channel-primary-echo.js')], { home });
    const codes = ['A', 'B', 'C'].slice(0, workers);
    assert.match(herd.output, /primary module loaded isPrimary=true isMaster=true isWorker=false/);
    for (const code of codes) {
      const n = code.charCodeAt(0);
      await herd.waitFor(new RegExp(`^primary \\d+ \\| primary got ping ${n} from ${code}$`, 'm'));
      // emitTo from the primary: only the pinging worker gets its pong, with the primary as sender.
      await herd.waitFor(new RegExp(`^${code} \\d+ \\| ${code} got pong ${n + 1} from primary$`, 'm'));
      // emit from the primary: every worker hears about every ping.
      for (const other of codes) await herd.waitFor(new RegExp(`^${other} \\d+ \\| ${other} got to-all after ping from ${code}$`, 'm'));
    }
    assert.equal(herd.count(/got pong/g), workers);
    assert.equal(herd.count(/got to-all/g), workers * workers);
  });
}
