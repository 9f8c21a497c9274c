import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { backgroundHerd, fixture, isAlive, runCli, tempDir, waitGone } from '../helpers/herd.js';
import { get } from '../helpers/http.js';
import { waitForLog } from '../helpers/logs.js';

test('start -d returns once every worker is ready, detached, logging to $HERD_HOME/<name>.log', async (t) => {
  const home = tempDir();
  const bg = backgroundHerd(t, home, 'bg');
  const r = await runCli(['start', '-d', fixture('http-server.js'), '-w', '2', '--name', 'bg'], { home });
  assert.equal(r.code, 0, r.stderr);
  const m = r.stdout.match(/herd: "bg" ready, 2 workers \(A=(\d+) B=(\d+)\), primary pid (\d+)/);
  assert.ok(m, r.stdout);
  const [a, b, pid] = [Number(m[1]), Number(m[2]), Number(m[3])];
  bg.track(pid, a, b);

  // The command returned; the primary lives on in its own session, stdin from /dev/null.
  assert.ok(isAlive(pid) && isAlive(a) && isAlive(b));
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
  assert.equal(session, pid, 'the primary leads its own session');
  assert.equal(readlinkSync(`/proc/${pid}/fd/0`), '/dev/null');

  // It serves, and its log is the file.
  const log = await waitForLog(join(home, 'bg.log'), /listening on [\d.]+:\d+/);
  const port = Number(log.match(/listening on [\d.]+:(\d+)/)![1]);
  assert.equal((await get(port)).status, 200);
  assert.match(log, /primary \d+ \| herd: "bg" ready, 2 workers/);

  const stop = await runCli(['stop', '--name', 'bg'], { home });
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(await waitGone([pid, a, b]), []);
});

test('start -d: a boot failure exits 1 with the error; bad options exit 2 before anything starts', async (t) => {
  const home = tempDir();
  backgroundHerd(t, home, 'crash');
  const r = await runCli(['start', '-d', fixture('crash-on-boot.js'), '-w', '1', '--name', 'crash'], { home });
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /every worker failed while booting/);
  assert.match(r.stderr, /ERR_HERD_BOOT_FAILED/);
  assert.doesNotMatch(r.stdout, /ready/);
  // The log file has the worker's own error.
  assert.match(readFileSync(join(home, 'crash.log'), 'utf8'), /crash-on-boot: the database is not there/);

  const bad = await runCli(['start', '-d', fixture('http-server.js'), '-w', 'many', '--name', 'bad'], { home });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /`--workers` must be 'auto' or an integer/);
  const missing = await runCli(['start', '-d', fixture('no-such-app.js')], { home });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /ERR_HERD_SCRIPT_NOT_FOUND/);
});
