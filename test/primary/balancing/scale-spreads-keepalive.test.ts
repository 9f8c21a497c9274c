import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { load } from '../../helpers/http.js';

for (const balancer of ['round-robin', 'least-connections']) {
  test(`scale 1 → 3 under 16 keep-alive connections: within 5 s every worker answers, nothing fails [${balancer}]`, async (t) => {
    const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--balancer', balancer]);
    const port = await herd.port();
    const traffic = load(port, 16);
    t.after(() => traffic.stop());
    while (traffic.stats.ok < 50) await new Promise((r) => setTimeout(r, 20));

    const up = await herd.cli('scale', '3');
    assert.equal(up.code, 0, up.stderr);
    const workers = (await herd.status()).workers;
    assert.equal(workers.length, 3);
    const scaledAt = Date.now();
    // The bound: the new workers take load within a few seconds (5 s).
    while (!workers.every((w) => traffic.stats.pids.has(w.pid)) && Date.now() - scaledAt < 5000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const took = Date.now() - scaledAt;
    const stats = await traffic.stop();
    assert.ok(workers.every((w) => stats.pids.has(w.pid)), `after ${took} ms only ${[...stats.pids]} answered of ${workers.map((w) => w.pid)}`);
    assert.deepEqual(stats.errors, []);
    assert.equal(stats.failed, 0);

    herd.signal('SIGTERM');
    assert.deepEqual(await herd.exited, { code: 0, signal: null });
  });
}
