import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli, startHerd, tempDir } from '../helpers/herd.js';

// `start` refuses a name that is a path; every control command must too, or
// `--name ../other/x` reaches a herd outside HERD_HOME.

const commands = [['status'], ['stop'], ['reload'], ['scale', '2'], ['logs'], ['logs', '--reopen']];

test('--name ../other/x is refused by every control command, and the herd outside HERD_HOME is untouched', async (t) => {
  const base = tempDir();
  const home = join(base, 'home');
  mkdirSync(home, { mode: 0o700 });
  const outside = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'x'], { home: join(base, 'other') });

  const results = await Promise.all(commands.map((args) => runCli([...args, '--name', '../other/x'], { home })));
  results.forEach((r, i) => {
    const what = `herd ${commands[i]!.join(' ')}`;
    assert.equal(r.code, 2, `${what}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /`--name` must be letters, digits, "\.", "_" or "-" .*received "\.\.\/other\/x" \[ERR_HERD_INVALID_OPTION\]/, what);
  });
  assert.equal(outside.child.exitCode, null, 'the herd outside HERD_HOME still runs');
  const status = await outside.status();
  assert.equal(status.workers.length, 1);
  assert.equal(status.workers[0]!.generation, 1, 'it was not reloaded');
});

test('names a control command rejects: absolute paths, dot files, empty, too long', async () => {
  const home = tempDir();
  const names = ['/tmp/x', '.hidden', '', 'a'.repeat(65), 'x\ny'];
  const results = await Promise.all(names.map((name) => runCli(['status', '--name', name], { home })));
  results.forEach((r, i) => {
    assert.equal(r.code, 2, `${JSON.stringify(names[i])}: ${r.stderr}`);
    assert.match(r.stderr, /`--name` must be letters.*\[ERR_HERD_INVALID_OPTION\]/);
  });
});
