import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';
import { getJson } from '../../helpers/http.js';

test('with no ready worker (the only one SIGKILLed), new connections wait for the replacement instead of being refused', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1']);
  const port = await herd.port();
  const [a] = (await herd.status()).workers;
  process.kill(a!.pid, 'SIGKILL');
  assert.deepEqual(await waitGone([a!.pid]), []);
  // The slot is empty now (the replacement waits out its backoff, then boots): each GET is a new connection.
  const replies = await Promise.all(Array.from({ length: 5 }, () => getJson(port)));
  const now = (await herd.status()).workers;
  assert.deepEqual(now.map((w) => [w.code, w.state]), [['A', 'ready']]);
  assert.notEqual(now[0]!.pid, a!.pid);
  assert.deepEqual(new Set(replies.map((r) => r.pid)), new Set([now[0]!.pid]));

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
