import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';

test('reload requests made while a reload runs wait for it, then share one more reload', async (t) => {
  const herd = await startHerd(t, [fixture('slow-boot.js'), '-w', '2'], { env: { BOOT_DELAY_MS: '1500' } });
  const first = herd.cli('reload');
  await herd.waitFor(/reload to generation 2 started/);
  const [second, third] = await Promise.all([herd.cli('reload'), herd.cli('reload')]);
  const r1 = await first;

  for (const r of [r1, second, third]) assert.equal(r.code, 0, r.stderr);
  const status = await herd.status();
  assert.equal(status.generation, 3);
  assert.deepEqual(status.workers.map((w) => [w.code, w.generation, w.state]), [['A', 3, 'ready'], ['B', 3, 'ready']]);
  // Never two at once: each reload finished before the next began.
  const events = [...herd.output.matchAll(/reload to generation (\d+) (started|done)/g)].map((m) => `${m[2]} ${m[1]}`);
  assert.deepEqual(events, ['started 2', 'done 2', 'started 3', 'done 3']);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
