import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BALANCERS } from '../helpers/balancers.js';
import { Agent } from 'undici';
import { fixture, startHerd, waitGone } from '../helpers/herd.js';
import { get, getJson } from '../helpers/http.js';

for (const balancer of BALANCERS) test(`SIGTERM with a slow request in flight: it completes, exit 0, no process left [${balancer}]`, async (t) => {
  const herd = await startHerd(t, [fixture('announce-slow.js'), '-w', '2', '--balancer', balancer]);
  const port = await herd.port();
  const { workers } = await herd.status();
  const agent = new Agent({ connections: 4, keepAliveTimeout: 30_000 });
  t.after(() => agent.close());

  // An idle keep-alive connection too: it must be closed cleanly, not block the stop.
  await getJson(port, '/', agent);
  const slow = get(port, '/slow?ms=1500&id=1', agent);
  // The request is in a worker's hands before the signal.
  await herd.waitFor(/slow started 1$/m);
  herd.signal('SIGTERM');

  const reply = await slow;
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.connection, 'close', 'the last response tells the client not to reuse the connection');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.deepEqual(await waitGone(workers.map((w) => w.pid)), []);
});

test('a second SIGINT stops at once, without waiting for in-flight requests', async (t) => {
  const herd = await startHerd(t, [fixture('announce-slow.js'), '-w', '1']);
  const port = await herd.port();
  const { workers } = await herd.status();
  const slow = get(port, '/slow?ms=20000&id=2').catch((error: Error) => error);
  await herd.waitFor(/slow started 2$/m);
  herd.signal('SIGINT');
  await herd.waitFor(/stopping gracefully/);
  herd.signal('SIGINT');
  const exit = await herd.exited;
  assert.equal(exit.code, 1);
  assert.ok((await slow) instanceof Error, 'the slow request was cut off');
  assert.deepEqual(await waitGone(workers.map((w) => w.pid)), []);
});
