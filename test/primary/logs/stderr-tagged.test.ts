import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('stderr lines are tagged with ! and stdout lines with |', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  const [worker] = (await herd.status()).workers;
  await get(port, '/stderr?text=oops%20on%20stderr');
  await get(port, '/print?tag=fine&n=1');
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const lines = readLines(log.path);
  assert.ok(lines.includes(`A ${worker!.pid} ! oops on stderr`), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith(`A ${worker!.pid} | fine 1 `)), lines.join('\n'));
  assert.ok(!lines.some((l) => / \| oops on stderr$/.test(l)), 'the stderr line is not tagged as stdout');
});
