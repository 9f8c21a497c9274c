import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli, startHerd, tempDir, waitGone } from '../helpers/herd.js';

test('a second start with the same name is refused while the first runs', async (t) => {
  const home = tempDir();
  const first = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'twice'], { home });
  const second = await runCli(['start', fixture('http-server.js'), '-w', '1', '--name', 'twice'], { home });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /an instance named "twice" is already running/);
  assert.match(second.stderr, /ERR_HERD_ALREADY_RUNNING/);
  // The first one is untouched.
  assert.equal((await first.status()).workers.length, 1);
});

test('the socket left behind by a SIGKILLed primary is cleaned up by the next start', async (t) => {
  const home = tempDir();
  const dead = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'stale'], { home });
  const { workers } = await dead.status();
  dead.signal('SIGKILL');
  await dead.exited;
  assert.deepEqual(await waitGone(workers.map((w) => w.pid)), []);
  assert.ok(statSync(join(home, 'stale.sock')).isSocket(), 'the dead primary left its socket file');

  const next = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'stale'], { home });
  const status = await next.status();
  assert.equal(status.pid, next.pid);
});
