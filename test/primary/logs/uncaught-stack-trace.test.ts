import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test("the stack trace of an uncaught exception is in the file, tagged with the worker's code", async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  const [worker] = (await herd.status()).workers;
  await get(port, '/throw');
  await herd.waitFor(/A \d+ ! uncaughtException/);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const lines = readLines(log.path);
  const head = lines.findIndex((l) => l === `A ${worker!.pid} ! uncaughtException [E_BOOM]: Error: boom from A`);
  assert.notEqual(head, -1, `no tagged error line in:\n${lines.join('\n')}`);
  assert.match(lines[head + 1]!, new RegExp(`^A ${worker!.pid} ! {5}at .*http-server\\.js:\\d+:\\d+`));
});
