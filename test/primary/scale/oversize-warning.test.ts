import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ASSUMED_WORKER_RSS, oversizeWarning } from '../../../src/primary/capacity.js';
import { CLI, fixture, ROOT, RunningHerd, tempDir } from '../../helpers/herd.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

test('a count past 4 workers per CPU, or past what free memory holds, gets a warning; up to it none', () => {
  const roomy = { cpus: 2, freeMemory: 100 * GiB };
  assert.equal(oversizeWarning(8, 2, roomy), undefined);
  assert.match(oversizeWarning(9, 2, roomy)!, /^herd: warning: 9 workers: that is more than 4 per CPU \(2 CPUs\)\./);
  assert.match(oversizeWarning(200, 2, roomy)!, /200 workers: that is more than 4 per CPU/);

  const tight = { cpus: 64, freeMemory: 200 * MiB };
  assert.equal(oversizeWarning(6, 2, tight, 40 * MiB), undefined, '4 more at 40 MiB fit in 200 MiB');
  assert.match(oversizeWarning(10, 2, tight, 40 * MiB)!, /10 workers: 8 more at about 40 MiB each need 0\.3 GiB, and 0\.2 GiB is free/);
  assert.equal(oversizeWarning(1, 10, tight), undefined, 'scaling down never warns about memory');
  assert.match(oversizeWarning(300, 0, { cpus: 2, freeMemory: 1 * GiB })!, /more than 4 per CPU.*; 300 more at about 40 MiB each need 11\.7 GiB, and 1\.0 GiB is free/);
  assert.equal(ASSUMED_WORKER_RSS, 40 * MiB);
});

test('herd scale past 4 workers per CPU warns, on the CLI and in the log, and still scales', async (t) => {
  // One CPU for the primary (os.availableParallelism follows the affinity), whatever the machine.
  const home = tempDir();
  const name = 'big';
  const child = spawn('taskset', ['-c', '0', process.execPath, CLI, 'start', fixture('http-server.js'), '-w', '1', '--name', name], {
    cwd: ROOT, env: { ...process.env, NO_COLOR: '1', HERD_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const herd = new RunningHerd(child, home, name);
  t.after(() => herd.cleanup());
  await herd.ready();
  assert.doesNotMatch(herd.output, /warning/, 'one worker on one CPU is fine');

  const r = await herd.cli('scale', '5');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^herd: warning: 5 workers: that is more than 4 per CPU \(1 CPU\)\./m);
  assert.match(r.stdout, /scaled to 5/);
  assert.match(herd.output, /primary \d+ ! herd: warning: 5 workers: that is more than 4 per CPU/);
  assert.equal((await herd.status()).workers.length, 5);
  const stop = await herd.cli('stop');
  assert.equal(stop.code, 0, stop.stderr);
});
