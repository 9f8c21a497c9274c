import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveOptions } from '../../src/config/resolve.js';
import { fixture, runCli, tempDir } from '../helpers/herd.js';

const app = fixture('state-values.js');

const bad: Array<[unknown, RegExp]> = [
  [-1, /received -1/],
  [1.5, /received 1\.5/],
  ['64M', /received "64M"/],
  [true, /received true/],
  [null, /received null/],
];

for (const [value, received] of bad) {
  test(`storeMaxBytes ${JSON.stringify(value)} is refused, naming the option and what it expects`, () => {
    assert.throws(() => resolveOptions({ script: app, storeMaxBytes: value }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_HERD_INVALID_OPTION');
      assert.match(error.message, /^`storeMaxBytes` must be a non-negative integer \(bytes; 0: no limit\), /);
      assert.match(error.message, received);
      return true;
    });
  });
}

test('storeMaxBytes defaults to 64 MiB; 0 (no limit) and a number are taken', () => {
  assert.equal(resolveOptions({ script: app }).storeMaxBytes, 64 * 1024 * 1024);
  assert.equal(resolveOptions({ script: app, storeMaxBytes: 0 }).storeMaxBytes, 0);
  assert.equal(resolveOptions({ script: app, storeMaxBytes: 1000 }).storeMaxBytes, 1000);
});

test('herd start with a bad storeMaxBytes in the config file: exit 2 before anything starts', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'herd.config.json'), JSON.stringify({ script: app, storeMaxBytes: '1G' }));
  const r = await runCli(['start'], { home: dir, cwd: dir });
  assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /`storeMaxBytes` must be a non-negative integer \(bytes; 0: no limit\), received "1G" \[ERR_HERD_INVALID_OPTION\]/);
  assert.doesNotMatch(r.stdout, /ready/);
});
