import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('lines written right before process.kill(process.pid, "SIGKILL") are all in the file', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  const [worker] = (await herd.status()).workers;
  // More than a pipe buffer (64 KiB): the writes must really wait for the primary.
  await assert.rejects(get(port, '/die?n=3000'));
  await herd.waitFor(new RegExp(`worker A \\(pid ${worker!.pid}\\) exited unexpectedly with signal SIGKILL`));
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null }, herd.output.slice(-3000));

  const last = readLines(log.path).filter((l) => l.startsWith(`A ${worker!.pid} | last `));
  assert.equal(last.length, 3000);
  assert.match(last.at(-1)!, /^A \d+ \| last 3000 \.+$/);
  assert.deepEqual(last.map((l) => Number(l.split(' ')[4])), Array.from({ length: 3000 }, (_, i) => i + 1));
});
