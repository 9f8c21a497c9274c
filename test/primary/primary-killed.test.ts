import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../helpers/herd.js';

test('when the primary is SIGKILLed its workers exit on their own', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);
  const { workers } = await herd.status();
  assert.equal(workers.length, 2);

  herd.signal('SIGKILL');
  assert.equal((await herd.exited).signal, 'SIGKILL');
  assert.deepEqual(await waitGone(workers.map((w) => w.pid), 10_000), [], 'no orphaned workers');
});
