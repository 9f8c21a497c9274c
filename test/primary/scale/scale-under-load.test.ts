import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';
import { getJson, load } from '../../helpers/http.js';

test('scale 1 → 3 → 1 under load: codes A,B,C then A, no request fails', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1']);
  const port = await herd.port();
  const a = (await herd.status()).workers[0]!;
  const traffic = load(port, 16);
  t.after(() => traffic.stop());

  const up = await herd.cli('scale', '3');
  assert.equal(up.code, 0, up.stderr);
  const three = (await herd.status()).workers;
  assert.deepEqual(three.map((w) => [w.code, w.state]), [['A', 'ready'], ['B', 'ready'], ['C', 'ready']]);
  assert.equal(three[0]!.pid, a.pid);
  // Keep-alive clients stay where they are; new connections reach the new workers too.
  const seen = new Set<number>();
  for (let i = 0; i < 60 && seen.size < 3; i++) seen.add((await getJson(port)).pid);
  assert.deepEqual(seen, new Set(three.map((w) => w.pid)));

  const down = await herd.cli('scale', '1');
  assert.equal(down.code, 0, down.stderr);
  const one = (await herd.status()).workers;
  assert.deepEqual(one.map((w) => [w.code, w.pid, w.state]), [['A', a.pid, 'ready']]);
  assert.deepEqual(await waitGone(three.slice(1).map((w) => w.pid)), []);

  const stats = await traffic.stop();
  assert.deepEqual(stats.errors, []);
  assert.equal(stats.failed, 0);
  assert.deepEqual(Object.keys(stats.statuses), ['200']);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
