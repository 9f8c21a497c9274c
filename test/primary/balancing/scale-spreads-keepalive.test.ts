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

test('a crashed worker\'s replacement gets a share of the keep-alive clients the survivor took over [round-robin]', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);
  const port = await herd.port();
  const traffic = load(port, 16);
  t.after(() => traffic.stop());
  while (traffic.stats.ok < 50) await new Promise((r) => setTimeout(r, 20));

  const [a] = (await herd.status()).workers;
  process.kill(a!.pid, 'SIGKILL');
  let replacement: number | undefined;
  while (replacement === undefined) {
    const w = (await herd.status()).workers.find((x) => x.code === 'A');
    if (w && w.pid !== a!.pid && w.state === 'ready') replacement = w.pid;
    else await new Promise((r) => setTimeout(r, 50));
  }
  // No client opens a connection by itself now (16 are open, all on B): only the spread brings some to A.
  // Wait for more than a few answers: stopping at the first one measured how fast the test stopped.
  const readyAt = Date.now();
  const answered = (): number => traffic.stats.byPid.get(replacement!) ?? 0;
  while (answered() <= 10 && Date.now() - readyAt < 10_000) await new Promise((r) => setTimeout(r, 20));
  const stats = await traffic.stop();
  assert.ok(stats.pids.has(replacement), `the replacement ${replacement} answered none of the keep-alive load in ${Date.now() - readyAt} ms`);
  const count = stats.byPid.get(replacement) ?? 0;
  assert.ok(count > 10, `the replacement answered only ${count} requests`);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
