import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BALANCERS } from '../../helpers/balancers.js';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';
import { load } from '../../helpers/http.js';

for (const balancer of BALANCERS) test(`with one worker, reloads under keep-alive load drop nothing [${balancer}]`, async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--balancer', balancer]);
  const port = await herd.port();
  const pids = [(await herd.status()).workers[0]!.pid];
  const traffic = load(port, 16);
  t.after(() => traffic.stop());

  for (let i = 0; i < 2; i++) {
    const r = await herd.cli('reload');
    assert.equal(r.code, 0, r.stderr);
    const workers = (await herd.status()).workers;
    assert.deepEqual(workers.map((w) => [w.code, w.state]), [['A', 'ready']]);
    pids.push(workers[0]!.pid);
  }
  const stats = await traffic.stop();

  assert.deepEqual(stats.errors, []);
  assert.equal(stats.failed, 0);
  assert.deepEqual(Object.keys(stats.statuses), ['200']);
  assert.equal(new Set(pids).size, 3);
  // Each generation answered some of the load: the port never moved.
  assert.ok(pids.slice(0, 2).every((pid) => stats.pids.has(pid)), `served by ${[...stats.pids]}, generations ${pids}`);
  assert.deepEqual(await waitGone(pids.slice(0, 2)), []);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
