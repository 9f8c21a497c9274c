import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BALANCERS } from '../../helpers/balancers.js';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';
import { load } from '../../helpers/http.js';

for (const balancer of BALANCERS) test(`two reloads under keep-alive load: no error, no non-200, every pid replaced, codes kept [${balancer}]`, async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2', '--balancer', balancer]);
  const port = await herd.port();
  const before = await herd.status();
  const traffic = load(port, 16);
  t.after(() => traffic.stop());

  const generations = [before.workers.map((w) => w.pid)];
  for (let i = 0; i < 2; i++) {
    const r = await herd.cli('reload');
    assert.equal(r.code, 0, r.stderr);
    const now = await herd.status();
    assert.deepEqual(now.workers.map((w) => w.code), ['A', 'B']);
    assert.ok(now.workers.every((w) => w.state === 'ready' && w.generation === i + 2), JSON.stringify(now.workers));
    generations.push(now.workers.map((w) => w.pid));
  }
  const stats = await traffic.stop();

  assert.deepEqual(stats.errors, []);
  assert.equal(stats.failed, 0);
  assert.deepEqual(Object.keys(stats.statuses), ['200']);
  assert.ok(stats.ok > 0);
  // Every generation is new: no pid survives a reload.
  const all = generations.flat();
  assert.equal(new Set(all).size, all.length);
  assert.deepEqual(await waitGone(generations.slice(0, -1).flat()), []);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
