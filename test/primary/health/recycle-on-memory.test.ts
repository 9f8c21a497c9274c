import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';
import { load } from '../../helpers/http.js';

test('a worker leaking past maxMemory under keep-alive load is recycled with zero failed requests, not counted as a restart', async (t) => {
  const herd = await startHerd(t, [fixture('leak-on-request.js'), '-w', '2', '--max-memory', '120M']);
  const port = await herd.port();
  const before = (await herd.status()).workers;

  const traffic = load(port, 4);
  t.after(() => traffic.stop());
  const m = await herd.waitFor(/herd: recycling worker ([AB]) \(pid (\d+)\): RSS ([\d.]+) MB above maxMemory 120\.0 MB over two samples/, 60_000);
  assert.ok(Number(m[3]) > 120);
  const [, code, pid] = m;
  await herd.waitFor(new RegExp(`herd: worker ${code} recycled \\(memory\\): pid ${pid} drains, pid \\d+ serves`), 60_000);
  assert.deepEqual(await waitGone([Number(pid)]), []);
  const stats = await traffic.stop();
  assert.equal(stats.failed, 0, stats.errors.join('\n'));
  assert.ok(stats.ok > 100);

  const after = (await herd.status()).workers;
  const slot = after.find((w) => w.code === code)!;
  assert.notEqual(slot.pid, Number(pid));
  assert.ok(before.some((w) => w.pid === Number(pid)));
  for (const w of after) assert.equal(w.restarts, 0);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
