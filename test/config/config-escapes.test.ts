import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli, tempDir } from '../helpers/herd.js';

// Inputs that used to escape herd's coded errors (a raw Node error, exit 1,
// exit 13 in silence): each one is now exit 2 with a code and the key or file.

const app = JSON.stringify(fixture('http-server.js'));

interface Case {
  what: string;
  /** The body of herd.config.mjs (`APP` is the script's path); files to write beside it. */
  config: string;
  files?: Record<string, string>;
  folders?: string[];
  expect: RegExp;
}

const cases: Case[] = [
  { what: 'a NUL byte in args', config: 'export default { script: APP, args: ["a\\0b"] }', expect: /`args\[0\]` must be a string without NUL bytes, received "a\\u0000b" \[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a NUL byte in an env value', config: 'export default { script: APP, env: { X: "a\\0b" } }', expect: /`env.X` must be a string without NUL bytes.*\[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'an env name with "="', config: 'export default { script: APP, env: { "A=B": "x" } }', expect: /`env` must be variable names that are not empty and hold no "=" or NUL byte, received "A=B" \[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a hole in args', config: 'export default { script: APP, args: [, "a"] }', expect: /`args` must be an array of strings.*\[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'workers: null', config: 'export default { script: APP, workers: null }', expect: /`workers` must be 'auto' or an integer.*received null \[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a NUL byte in script', config: 'export default { script: "a\\0b.js" }', expect: /`script` must be a path without NUL bytes.*\[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a home that is a file', config: 'export default { script: APP, home: "./home-file" }', files: { 'home-file': 'x' }, expect: /home-file is not a folder \[ERR_HERD_HOME\]/ },
  { what: 'a NUL byte in home', config: 'export default { script: APP, home: "/tmp/a\\0b" }', expect: /`home` must be a path without NUL bytes.*\[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a primary that is a folder', config: 'export default { script: APP, primary: "./dir" }', folders: ['dir'], expect: /`primary` must be an existing file, received ".*\/dir" \(.*dir is not a file\) \[ERR_HERD_SCRIPT_NOT_FOUND\]/ },
  { what: 'an empty primary', config: 'export default { script: APP, primary: "" }', expect: /`primary` must be a non-empty string, received "" \[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a primary that throws', config: 'export default { script: APP, primary: "./boom.mjs" }', files: { 'boom.mjs': 'throw new Error("primary exploded");' }, expect: /the `primary` module .*boom\.mjs failed to load: primary exploded \[ERR_HERD_PRIMARY_MODULE\]/ },
  { what: 'a primary with a syntax error', config: 'export default { script: APP, primary: "./broken.mjs" }', files: { 'broken.mjs': 'const a = 1;\nconst = 2;\n' }, expect: /the `primary` module .*broken\.mjs failed to load: SyntaxError: .*\(at .*broken\.mjs:2\) \[ERR_HERD_PRIMARY_MODULE\]/ },
  { what: 'a primary whose top-level await never settles', config: 'export default { script: APP, primary: "./forever.mjs", readyTimeout: 1000 }', files: { 'forever.mjs': 'await new Promise(() => {});' }, expect: /the `primary` module .*forever\.mjs did not finish loading within 1000 ms \(readyTimeout\) \[ERR_HERD_PRIMARY_MODULE\]/ },
  { what: 'a getter that throws', config: 'export default { script: APP, get workers() { throw new Error("nope"); } }', expect: /config .*herd\.config\.mjs: `workers` could not be read \(Error: nope\) \[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a nested getter that throws', config: 'export default { script: APP, restart: { get maxRestarts() { throw new TypeError("deep"); } } }', expect: /`restart.maxRestarts` could not be read \(TypeError: deep\) \[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a Proxy that throws', config: 'export default new Proxy({}, { ownKeys() { throw new Error("trap"); } })', expect: /config .*herd\.config\.mjs: `options` could not be read \(Error: trap\) \[ERR_HERD_INVALID_OPTION\]/ },
  { what: 'a config whose top-level await never settles', config: 'await new Promise(() => {});\nexport default { script: APP };', expect: /config .*herd\.config\.mjs did not finish loading within 10000 ms \(a top-level await that never settles\?\) \[ERR_HERD_CONFIG_LOAD\]/ },
];

test('every configuration escape is exit 2 with a code naming the key or the file', { concurrency: 6 }, async (t) => {
  await Promise.all(cases.map((c) => t.test(c.what, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'herd.config.mjs'), c.config.replace('APP', app));
    for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), text);
    for (const name of c.folders ?? []) mkdirSync(join(dir, name));
    const r = await runCli(['start'], { home: join(dir, 'home'), cwd: dir });
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, c.expect);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(r.stdout, /ready/);
  })));
});
