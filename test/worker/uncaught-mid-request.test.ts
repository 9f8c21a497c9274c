import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from 'undici';
import { fixture, startHerd, waitGone } from '../helpers/herd.js';
import { get, getJson } from '../helpers/http.js';

// Replace before retire: the faulty worker stops taking connections, a
// replacement takes its code, and its in-flight requests still complete.
test('an uncaught exception mid-request: the worker\'s other in-flight requests complete and it is replaced', async (t) => {
  const herd = await startHerd(t, [fixture('announce-slow.js'), '-w', '2']);
  const port = await herd.port();
  const before = (await herd.status()).workers;

  const agents = Array.from({ length: 7 }, () => new Agent({ keepAliveTimeout: 30_000 }));
  t.after(() => Promise.all(agents.map((a) => a.close())));
  const slow = agents.slice(0, 6).map((agent, i) => getJson(port, `/slow?ms=2500&id=${i}`, agent));
  await herd.waitFor(/(slow started \d+[\s\S]*){6}/);
  // Throws at once in whichever worker takes it.
  const throwing = get(port, '/throw?ms=0&reply=300', agents[6]);

  const m = await herd.waitFor(/^([AB]) (\d+) ! uncaughtException \[E_BOOM\]: Error: boom from \1$/m);
  const faulty = before.find((w) => w.code === m[1])!;
  assert.equal(Number(m[2]), faulty.pid);
  // The primary says which worker failed and why, with the error's code when it has one.
  await herd.waitFor(new RegExp(`herd: worker ${faulty.code} \\(pid ${faulty.pid}\\) hit uncaughtException: boom from ${faulty.code} \\[E_BOOM\\]; replacing it`));

  // The replacement takes the faulty worker's code; new connections never reach the faulty one.
  await herd.waitFor(new RegExp(`^${faulty.code} (?!${faulty.pid})\\d+ \\| listening on`, 'm'));
  for (let i = 0; i < 10; i++) assert.notEqual((await getJson(port)).pid, faulty.pid);

  const answers = await Promise.all(slow);
  assert.ok(answers.filter((a) => a.pid === faulty.pid).length > 0, 'no slow request reached the faulty worker');
  assert.deepEqual(new Set(answers.map((a) => a.pid)), new Set(before.map((w) => w.pid)));
  // The request whose handler threw is answered 500 when the error hits, not left to hang.
  const thrown = await throwing;
  assert.equal(thrown.status, 500);
  assert.equal(thrown.body, 'Internal Server Error\n');
  assert.deepEqual(await waitGone([faulty.pid]), []);

  const after = (await herd.status()).workers;
  assert.deepEqual(after.map((w) => [w.code, w.state]), [['A', 'ready'], ['B', 'ready']]);
  const slot = after.find((w) => w.code === faulty.code)!;
  assert.notEqual(slot.pid, faulty.pid);
  assert.equal(slot.restarts, 1);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
