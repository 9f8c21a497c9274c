import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../helpers/herd.js';

test('the control socket is 0600 inside a 0700 HERD_HOME, and is removed on stop', async (t) => {
  const home = join(tempDir(), 'nested', 'home');
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'modes'], { home });
  const dir = statSync(home);
  const sock = statSync(join(home, 'modes.sock'));
  assert.ok(sock.isSocket());
  assert.equal(dir.mode & 0o777, 0o700);
  assert.equal(sock.mode & 0o777, 0o600);
  assert.equal(sock.uid, process.getuid!());

  const r = await herd.cli('stop');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.throws(() => statSync(join(home, 'modes.sock')), { code: 'ENOENT' });
});
