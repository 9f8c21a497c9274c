import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { backgroundHerd, fixture, runCli, tempDir } from '../helpers/herd.js';

test('herd list (ls) shows every running herd with its workers, uptime, memory and script; dead sockets are cleaned', async (t) => {
  const home = tempDir();
  const empty = await runCli(['list'], { home });
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /no herd running/);

  const bg = backgroundHerd(t, home, 'web');
  const started = await runCli(['start', '-d', fixture('http-server.js'), '-w', '2', '--name', 'web'], { home });
  assert.equal(started.code, 0, started.stderr);
  await bg.status();
  // What a primary killed without cleanup leaves behind: a socket file nobody answers on
  // (a process that listened and exited without closing). A regular file there is not removed.
  const stale = join(home, 'gone.sock');
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
  const planted = join(home, 'planted.sock');
  writeFileSync(planted, 'not a socket');

  const json = await runCli(['list', '--json'], { home });
  assert.equal(json.code, 0, json.stderr);
  const herds = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
  assert.equal(herds.length, 1);
  const [web] = herds;
  assert.equal(web!.name, 'web');
  assert.equal(web!.pid, Number(started.stdout.match(/primary pid (\d+)/)![1]));
  assert.equal(web!.ready, 2);
  assert.equal(web!.workers, 2);
  assert.equal(web!.script, fixture('http-server.js'));
  assert.ok(typeof web!.uptime === 'number' && web!.uptime >= 0);
  assert.ok(typeof web!.memory === 'number' && web!.memory > 10 * 1024 * 1024, `memory ${web!.memory}`);
  assert.equal(existsSync(stale), false, 'the dead socket was removed');
  assert.equal(existsSync(planted), true, 'a file that is not a socket is left alone');

  const table = await runCli(['ls'], { home });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME\s+PID\s+WORKERS\s+UPTIME\s+MEMORY\s+SCRIPT$/m);
  assert.match(table.stdout, new RegExp(`^web\\s+${web!.pid}\\s+2/2\\s+\\S+\\s+[\\d.]+ MB\\s+.*http-server\\.js$`, 'm'));
  assert.equal((await runCli(['stop', '--name', 'web'], { home })).code, 0);
});
