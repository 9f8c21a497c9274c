import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

// What an external logrotate does: move the file away, then tell herd.
async function rotateBy(t: Parameters<typeof startHerd>[0], trigger: (herd: Awaited<ReturnType<typeof startHerd>>) => Promise<void>): Promise<void> {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  await get(port, '/print?tag=before&n=3');
  await herd.waitFor(/before 3 /);
  const moved = join(log.dir, 'app.log.1');
  renameSync(log.path, moved);
  await get(port, '/print?tag=between&n=1');
  await herd.waitFor(/between 1 /);
  await trigger(herd);
  await get(port, '/print?tag=after&n=3');
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const old = readLines(moved);
  const fresh = readLines(log.path);
  assert.equal(old.filter((l) => / \| before \d /.test(l)).length, 3);
  assert.equal(old.filter((l) => / \| between 1 /.test(l)).length, 1, 'until reopened, lines go to the moved file');
  assert.equal(fresh.filter((l) => / \| after \d /.test(l)).length, 3);
  assert.ok(!fresh.some((l) => / \| (before|between) /.test(l)));
  assert.match(fresh[0]!, /^primary \d+ \| herd: reopened the log file /);
  assert.ok(!old.some((l) => / \| after /.test(l)));
}

test('SIGUSR2 makes the primary reopen the log file after logrotate moved it', async (t) => {
  await rotateBy(t, async (herd) => {
    herd.signal('SIGUSR2');
    await herd.waitFor(/herd: reopened the log file/);
  });
});

test('herd logs --reopen does the same through the control socket', async (t) => {
  await rotateBy(t, async (herd) => {
    const r = await herd.cli('logs', '--reopen');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reopened its log file/);
  });
});
