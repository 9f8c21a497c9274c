import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';

test('SIGTTIN adds a worker, SIGTTOU removes the highest code, never below one', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);

  herd.signal('SIGTTIN');
  await herd.waitFor(/scaled to 3 workers/);
  const three = (await herd.status()).workers;
  assert.deepEqual(three.map((w) => w.code), ['A', 'B', 'C']);

  herd.signal('SIGTTOU');
  await herd.waitFor(/scaled to 2 workers/);
  herd.signal('SIGTTOU');
  await herd.waitFor(/scaled to 1 worker\b/);
  herd.signal('SIGTTOU');
  await herd.waitFor(/SIGTTOU ignored: already at 1 worker/);

  const one = (await herd.status()).workers;
  assert.deepEqual(one.map((w) => [w.code, w.pid]), [['A', three[0]!.pid]]);
  assert.deepEqual(await waitGone([three[1]!.pid, three[2]!.pid]), []);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
