import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli, startHerd, tempDir } from '../helpers/herd.js';
import { getJson } from '../helpers/http.js';

test('herd start app.ts runs it through tsx when tsx is installed in the app', async (t) => {
  // test/fixtures/ts-app resolves tsx from this repository's node_modules.
  const herd = await startHerd(t, [fixture('ts-app/server.ts'), '-w', '1']);
  const answer = await getJson<{ kind: string; pid: number }>(await herd.port());
  assert.equal(answer.kind, 'typed');
});

test('herd start app.ts without tsx: exit 2 saying how, not ERR_UNKNOWN_FILE_EXTENSION', async () => {
  const dir = tempDir(); // under the OS temp folder: no node_modules with tsx above it
  copyFileSync(fixture('ts-app/server.ts'), join(dir, 'server.ts'));
  const r = await runCli(['start', join(dir, 'server.ts'), '-w', '1'], { home: tempDir(), cwd: dir });
  assert.equal(r.code, 2, r.stdout);
  assert.match(r.stderr, /`script` is TypeScript .*server\.ts.* tsx cannot be found from its folder: install it in the app \(npm install --save-dev tsx\) or build the app to JavaScript first/);
  assert.match(r.stderr, /\[ERR_HERD_TYPESCRIPT\]/);
  assert.doesNotMatch(r.stderr + r.stdout, /ERR_UNKNOWN_FILE_EXTENSION/);
});
