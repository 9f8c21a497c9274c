import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';
import { getJson } from '../../helpers/http.js';

test('SIGHUP to the primary runs a rolling reload', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);
  const port = await herd.port();
  const old = (await herd.status()).workers.map((w) => w.pid);

  herd.signal('SIGHUP');
  await herd.waitFor(/reload to generation 2 done/);

  const status = await herd.status();
  assert.equal(status.generation, 2);
  assert.deepEqual(status.workers.map((w) => [w.code, w.generation, w.state]), [['A', 2, 'ready'], ['B', 2, 'ready']]);
  assert.ok(status.workers.every((w) => !old.includes(w.pid)));
  assert.deepEqual(await waitGone(old), []);
  const answer = await getJson(port);
  assert.ok(status.workers.some((w) => w.pid === answer.pid));

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
