import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/herd.js';

const names = ['start', 'HerdApp', 'ready', 'onShutdown', 'HerdError', 'ERROR_CODES', 'store', 'lock'];

test('import and require both give the public API, with type declarations', () => {
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', 'import * as h from "herd"; console.log(JSON.stringify(Object.keys(h)))'], { cwd: ROOT, encoding: 'utf8' });
  const cjs = execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify(Object.keys(require("herd"))))'], { cwd: ROOT, encoding: 'utf8' });
  for (const name of names) {
    assert.ok(JSON.parse(esm).includes(name), `ESM export ${name}`);
    assert.ok(JSON.parse(cjs).includes(name), `CJS export ${name}`);
  }
  assert.ok(existsSync(join(ROOT, 'dist', 'index.d.ts')));
  assert.ok(existsSync(join(ROOT, 'dist', 'index.d.cts')));
});

test('herd/session gives SessionStore, an express-session Store, to import and require, with type declarations', () => {
  const check = 'console.log(typeof S.SessionStore, new S.SessionStore() instanceof require("express-session").Store)';
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as S from "herd/session"; import { createRequire } from "node:module"; const require = createRequire(import.meta.url); ${check}`], { cwd: ROOT, encoding: 'utf8' });
  const cjs = execFileSync(process.execPath, ['-e', `const S = require("herd/session"); ${check}`], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(esm, 'function true\n');
  assert.equal(cjs, 'function true\n');
  assert.ok(existsSync(join(ROOT, 'dist', 'session.d.ts')));
  assert.ok(existsSync(join(ROOT, 'dist', 'session.d.cts')));
});

test('internal modules are not reachable through the package', () => {
  assert.throws(
    () => execFileSync(process.execPath, ['-e', 'require("herd/dist/preload.js")'], { cwd: ROOT, stdio: 'pipe' }),
    /ERR_PACKAGE_PATH_NOT_EXPORTED/,
  );
});
