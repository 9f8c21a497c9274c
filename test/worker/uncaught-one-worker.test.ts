import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BALANCERS } from '../helpers/balancers.js';
import { fixture, startHerd, waitGone } from '../helpers/herd.js';
import { get, load } from '../helpers/http.js';

// With a single worker there is no one else to take connections: it keeps
// accepting until its replacement is ready, so the port never closes.
for (const balancer of BALANCERS) test(`with one worker, an uncaught exception under load fails no other request [${balancer}]`, async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--balancer', balancer]);
  const port = await herd.port();
  const faulty = (await herd.status()).workers[0]!;
  const traffic = load(port, 16);
  t.after(() => traffic.stop());

  // The request whose handler threw is answered 500 at once; the others never notice.
  const thrown = await get(port, '/throw?ms=0&reply=300');
  assert.equal(thrown.status, 500);
  await herd.waitFor(new RegExp(`^A (?!${faulty.pid})\\d+ \\| listening on`, 'm'));
  assert.deepEqual(await waitGone([faulty.pid]), []);
  const stats = await traffic.stop();

  assert.deepEqual(stats.errors, []);
  assert.equal(stats.failed, 0);
  const now = (await herd.status()).workers;
  assert.deepEqual(now.map((w) => [w.code, w.state, w.restarts]), [['A', 'ready', 1]]);
  assert.ok(stats.pids.has(now[0]!.pid), 'the replacement served none of the load');
  assert.match(herd.output, new RegExp(`^A ${faulty.pid} ! uncaughtException \\[E_BOOM\\]: Error: boom from A$`, 'm'));

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
