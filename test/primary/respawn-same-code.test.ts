import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { getJson } from '../helpers/http.js';

test('a SIGKILLed worker comes back in its slot with the same code and a higher restart count', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);
  const port = await herd.port();
  const before = await herd.status();
  const victim = before.workers.find((w) => w.code === 'B')!;
  assert.equal(victim.restarts, 0);

  process.kill(victim.pid, 'SIGKILL');
  await herd.waitFor(new RegExp(`worker B \\(pid ${victim.pid}\\) exited unexpectedly with signal SIGKILL`));
  // The replacement prints its listening line with a new pid under code B.
  const m = await herd.waitFor(new RegExp(`^B (?!${victim.pid})(\\d+) \\| listening`, 'm'));
  const newPid = Number(m[1]);

  const after = await herd.status();
  const b = after.workers.find((w) => w.code === 'B')!;
  assert.equal(b.pid, newPid);
  assert.notEqual(b.pid, victim.pid);
  assert.equal(b.restarts, 1);
  assert.equal(after.workers.find((w) => w.code === 'A')!.restarts, 0);
  assert.deepEqual(after.workers.map((w) => w.code), ['A', 'B']);

  // It serves on the same port.
  const pids = new Set<number>();
  for (let i = 0; i < 20 && pids.size < 2; i++) pids.add((await getJson(port)).pid);
  assert.ok(pids.has(newPid), 'the replacement answers requests');
});
