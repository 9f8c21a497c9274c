import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../helpers/herd.js';
import { getJson } from '../helpers/http.js';

test('two workers answer on one port with distinct pids, listed as A and B', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);
  const port = await herd.port();

  const status = await herd.status();
  assert.deepEqual(status.workers.map((w) => w.code), ['A', 'B']);
  assert.ok(status.workers.every((w) => w.state === 'ready'));
  const expected = new Set(status.workers.map((w) => w.pid));
  assert.equal(expected.size, 2);

  // Round-robin deals connections out in turn: a few requests reach both.
  const seen = new Set<number>();
  for (let i = 0; i < 20 && seen.size < 2; i++) seen.add((await getJson(port)).pid);
  assert.deepEqual(seen, expected);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.deepEqual(await waitGone([...expected]), []);
});
