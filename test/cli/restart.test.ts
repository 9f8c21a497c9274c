import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { backgroundHerd, fixture, lastPort, runCli, startHerd, tempDir, waitGone } from '../helpers/herd.js';
import { getJson } from '../helpers/http.js';
import { waitForLog } from '../helpers/logs.js';

interface Echo { pid: number; foo: string | null; execArgv: string[] }

test('herd restart: stop, then start again with the same arguments, folder and environment', async (t) => {
  const home = tempDir();
  const bg = backgroundHerd(t, home, 'rs');
  const first = await runCli(['start', '-d', fixture('env-echo.js'), '-w', '1', '--name', 'rs', '--node-args', '--max-old-space-size=123'], { home, env: { FOO: 'from-start' } });
  assert.equal(first.code, 0, first.stderr);
  const old = JSON.parse((await bg.status()).stdout) as { pid: number; workers: Array<{ pid: number }> };

  // Run from another environment: the restarted herd keeps the one it started with.
  const r = await runCli(['restart', '--name', 'rs'], { home, env: { FOO: 'from-restart' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"rs" stopped, starting it again/);
  const pid = Number(r.stdout.match(/herd: "rs" ready, 1 worker \(A=\d+\), primary pid (\d+)/)![1]);
  bg.track(pid);
  assert.notEqual(pid, old.pid);
  assert.deepEqual(await waitGone([old.pid, ...old.workers.map((w) => w.pid)]), []);

  const [worker] = (JSON.parse((await bg.status()).stdout) as { workers: Array<{ pid: number }> }).workers;
  const echo = await getJson<Echo>(lastPort(await waitForLog(join(home, 'rs.log'), new RegExp(`A ${worker!.pid} \\| listening on`))));
  assert.equal(echo.foo, 'from-start');
  assert.ok(echo.execArgv.includes('--max-old-space-size=123'), echo.execArgv.join(' '));
  assert.equal((await runCli(['stop', '--name', 'rs'], { home })).code, 0);
});

test('herd restart of a name that is not running exits 3', async () => {
  const r = await runCli(['restart', '--name', 'nobody'], { home: tempDir() });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /no running herd named "nobody"/);
});

test('herd restart of a foreground herd brings it back in the background', async (t) => {
  const home = tempDir();
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'fg'], { home });
  const bg = backgroundHerd(t, home, 'fg');
  const r = await runCli(['restart', '--name', 'fg'], { home });
  assert.equal(r.code, 0, r.stderr);
  // The foreground primary stopped gracefully.
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  const status = await bg.status();
  assert.equal(status.code, 0, status.stderr);
  assert.notEqual(JSON.parse(status.stdout).pid, herd.pid);
  assert.equal((await runCli(['stop', '--name', 'fg'], { home })).code, 0);
});
