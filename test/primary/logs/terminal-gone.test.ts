import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('when the terminal reading the primary goes away, the herd keeps serving and logging to the file', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  // What `herd start app.js | head -3` does once head has its lines.
  herd.child.stdout!.destroy();
  for (let i = 0; i < 3; i++) assert.equal((await get(port, '/print?tag=orphan&n=2000')).status, 200);
  const r = await herd.cli('logs', '-n', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^A \d+ \| orphan 2000 /);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.equal(readLines(log.path).filter((l) => / \| orphan \d+ /.test(l)).length, 6000);
});
