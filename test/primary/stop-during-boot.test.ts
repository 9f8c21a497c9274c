import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitChildren, waitGone } from '../helpers/herd.js';

test('SIGTERM while the workers boot: herd waits for them, then stops them gracefully (exit 0)', async (t) => {
  const herd = await startHerd(t, [fixture('slow-boot.js'), '-w', '2'], { wait: false, env: { BOOT_DELAY_MS: '1500' } });
  const workers = await waitChildren(herd.pid, 2);
  herd.signal('SIGTERM');
  await herd.waitFor(/stopping once the workers are up/);
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.match(herd.output, /herd: ".*" ready, 2 workers/);
  assert.equal(herd.count(/^[AB] \d+ \| listening/gm), 2);
  assert.deepEqual(await waitGone(workers), []);
});

test('twice while the workers boot: the primary ends at once and its workers follow', async (t) => {
  const herd = await startHerd(t, [fixture('slow-boot.js'), '-w', '1'], { wait: false, env: { BOOT_DELAY_MS: '60000' } });
  const workers = await waitChildren(herd.pid, 1);
  herd.signal('SIGINT');
  await herd.waitFor(/stopping once the workers are up/);
  herd.signal('SIGINT');
  assert.equal((await herd.exited).code, 1);
  assert.doesNotMatch(herd.output, /ready/);
  assert.deepEqual(await waitGone(workers), []);
});
