import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from 'undici';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';
import { getJson } from '../../helpers/http.js';

test('slow in-flight requests (2 s) all complete across a reload', async (t) => {
  const herd = await startHerd(t, [fixture('announce-slow.js'), '-w', '2']);
  const port = await herd.port();
  const old = (await herd.status()).workers.map((w) => w.pid);

  // One keep-alive connection per request, so round-robin spreads them over both workers.
  const agents = Array.from({ length: 6 }, () => new Agent({ keepAliveTimeout: 30_000 }));
  t.after(() => Promise.all(agents.map((a) => a.close())));
  const slow = agents.map((agent, i) => getJson(port, `/slow?ms=2000&id=${i}`, agent));
  await herd.waitFor(/(slow started \d+[\s\S]*){6}/);

  const reload = await herd.cli('reload');
  assert.equal(reload.code, 0, reload.stderr);

  const answers = await Promise.all(slow);
  // Every one was answered, by the worker that took it: both old workers had some.
  assert.deepEqual(new Set(answers.map((a) => a.pid)), new Set(old));
  assert.deepEqual(await waitGone(old), []);
  const fresh = (await herd.status()).workers;
  assert.deepEqual(fresh.map((w) => w.code), ['A', 'B']);
  assert.ok(fresh.every((w) => !old.includes(w.pid)));

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
