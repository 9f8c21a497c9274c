import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('a 100 KB line stays one whole line in the file', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  assert.equal((await get(port, '/long?bytes=100000')).status, 200);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const longs = readLines(log.path).filter((l) => /^A \d+ \| long /.test(l));
  assert.equal(longs.length, 1);
  const text = longs[0]!.replace(/^A \d+ \| /, '');
  assert.equal(Buffer.byteLength(text), 100_000);
  assert.match(text, /^long A x+$/);
});
