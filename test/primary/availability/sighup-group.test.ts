import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CLI, ROOT, RunningHerd, fixture, tempDir } from '../../helpers/herd.js';

// `herd start &` and then the terminal goes away: SIGHUP reaches the whole
// process group. The workers must keep running and nothing may reload; only
// a SIGHUP sent to the primary alone reloads.

test('SIGHUP to the process group changes nothing; SIGHUP to the primary alone reloads', async (t) => {
  const home = tempDir();
  const name = `hup${process.pid}`;
  // Its own process group, as a shell job gets.
  const child = spawn(process.execPath, [CLI, 'start', fixture('http-server.js'), '-w', '2', '--name', name], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', HERD_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const herd = new RunningHerd(child, home, name);
  t.after(() => herd.cleanup());
  await herd.ready();
  const before = await herd.status();

  process.kill(-herd.pid, 'SIGHUP');
  await herd.waitFor(/SIGHUP reached the whole process group .*not reloading/);
  const after = await herd.status();
  assert.equal(after.generation, 1);
  assert.deepEqual(after.workers.map((w) => [w.code, w.pid, w.restarts]), before.workers.map((w) => [w.code, w.pid, 0]));
  assert.doesNotMatch(herd.output, /exited unexpectedly|reload to generation/);

  herd.signal('SIGHUP');
  await herd.waitFor(/reload to generation 2 done/);
  const reloaded = await herd.status();
  assert.equal(reloaded.generation, 2);
  for (const w of reloaded.workers) assert.ok(!before.workers.some((b) => b.pid === w.pid), 'every worker was replaced');

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
