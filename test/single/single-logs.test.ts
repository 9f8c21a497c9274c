import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { get } from '../helpers/http.js';
import { logFile, readLines } from '../helpers/logs.js';

test('--single: the app\'s stdout and stderr go through the writer as worker A, into the file and herd logs', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '--single', '--log-file', log.path]);
  const port = await herd.port();
  await get(port, '/print?tag=single&n=3');
  await get(port, '/stderr?text=single%20err');
  await herd.waitFor(/single err/);
  const tail = await herd.cli('logs', '-n', '4');
  assert.equal(tail.code, 0, tail.stderr);
  assert.deepEqual(tail.stdout.split('\n').filter(Boolean).map((l) => l.replace(/ \.+$/, '')), [
    `A ${herd.pid} | single 1`, `A ${herd.pid} | single 2`, `A ${herd.pid} | single 3`, `A ${herd.pid} ! single err`,
  ]);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const lines = readLines(log.path);
  assert.ok(lines.some((l) => new RegExp(`^A ${herd.pid} \\| listening on`).test(l)), lines.join('\n'));
  assert.ok(lines.includes(`A ${herd.pid} ! single err`));
  assert.equal(lines.filter((l) => l.startsWith(`A ${herd.pid} | single `)).length, 3);
});
