import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('a graceful stop asked for right after a burst loses no line', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '2', '--log-file', log.path]);
  const port = await herd.port();
  // The worker sends SIGTERM to the primary itself, the moment its last write returns.
  await get(port, '/burst-stop?n=20000').catch(() => undefined);
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const burst = readLines(log.path).filter((l) => /^[AB] \d+ \| burst /.test(l));
  assert.equal(burst.length, 20_000);
  assert.deepEqual(burst.map((l) => Number(l.split(' ')[4])), Array.from({ length: 20_000 }, (_, i) => i + 1));
});
