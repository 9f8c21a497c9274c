import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/herd.js';

test('a script that does not exist: exit 2, naming it', async () => {
  const dir = tempDir();
  const r = await runCli(['start', 'no-such-server.js'], { home: dir, cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /`script` must be an existing file, received ".*no-such-server.js"/);
  assert.match(r.stderr, /ERR_HERD_SCRIPT_NOT_FOUND/);
});

test('no script at all and no config: exit 2 with usage', async () => {
  const dir = tempDir();
  const r = await runCli(['start'], { home: dir, cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing <script>: herd start <script>/);
  assert.match(r.stderr, /ERR_HERD_USAGE/);
});
