import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, runCli, startHerd, tempDir, waitGone } from '../helpers/herd.js';

test('without --name the control commands find the only herd answering in HERD_HOME', async (t) => {
  const home = tempDir();
  const elsewhere = tempDir(); // no herd.config here
  const dead = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'dead'], { home });
  const { workers } = await dead.status();
  dead.signal('SIGKILL');
  await dead.exited;
  assert.deepEqual(await waitGone(workers.map((w) => w.pid)), []);

  // Only a stale socket: nothing is running.
  const none = await runCli(['status'], { home, cwd: elsewhere });
  assert.equal(none.code, 3);
  assert.match(none.stderr, /no running herd found/);

  const live = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'live'], { home });
  const one = await runCli(['status', '--json'], { home, cwd: elsewhere });
  assert.equal(one.code, 0, one.stderr);
  assert.equal(JSON.parse(one.stdout).pid, live.pid);

  await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'other'], { home });
  const two = await runCli(['status'], { home, cwd: elsewhere });
  assert.equal(two.code, 2);
  assert.match(two.stderr, /several herds are running \((live, other|other, live)\): choose one with --name/);
});
