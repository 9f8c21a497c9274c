import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('writes straight to fd 1 and fd 2 (what native modules do) are captured and tagged too', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  const [worker] = (await herd.status()).workers;
  assert.equal((await get(port, '/fd?text=raw')).status, 200);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const lines = readLines(log.path);
  assert.ok(lines.includes(`A ${worker!.pid} | raw on fd 1`), lines.join('\n'));
  assert.ok(lines.includes(`A ${worker!.pid} ! raw on fd 2`), lines.join('\n'));
});
