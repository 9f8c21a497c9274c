import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('pino lines from a worker stay valid JSON with worker and pid added', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  const [worker] = (await herd.status()).workers;
  assert.equal((await get(port, '/pino?n=3')).status, 200);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const lines = readLines(log.path).filter((l) => l.includes('pino line'));
  assert.equal(lines.length, 3);
  lines.forEach((line, i) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.worker, 'A');
    assert.equal(entry.pid, worker!.pid);
    assert.equal(entry.msg, `pino line ${i + 1}`);
    assert.equal(entry.i, i + 1);
    assert.equal(entry.level, 30);
  });
  // The plain lines around them keep their prefix.
  assert.ok(readLines(log.path).some((l) => new RegExp(`^A ${worker!.pid} \\| listening on`).test(l)));
});
