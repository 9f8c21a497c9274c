import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli, tempDir } from '../helpers/herd.js';

const cases: Array<[string, unknown, RegExp]> = [
  ['maxSize negative', { maxSize: -1 }, /`logs\.maxSize` must be .*received -1/],
  ['maxSize as text', { maxSize: '10M' }, /`logs\.maxSize` must be .*received "10M"/],
  ['maxFiles zero', { maxFiles: 0 }, /`logs\.maxFiles` must be .*received 0/],
  ['json not boolean', { json: 'yes' }, /`logs\.json` must be .*received "yes"/],
  ['file empty', { file: '' }, /`logs\.file` must be .*received ""/],
  ['unknown key', { rotate: 3 }, /`logs\.rotate`/],
  ['not an object', 'app.log', /`logs` must be an object, received "app\.log"/],
];

for (const [what, logs, message] of cases) {
  test(`logs option refused before anything starts: ${what}`, async (t) => {
    const dir = tempDir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'herd.config.json');
    writeFileSync(config, JSON.stringify({ logs }));
    const r = await runCli(['start', fixture('log-on-request.js'), '--config', config], { home: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /ERR_HERD_(INVALID|UNKNOWN)_OPTION/);
    assert.doesNotMatch(r.stdout, /listening on/);
  });
}

test('a --log-file that cannot be opened fails start with ERR_HERD_LOG_FILE before any worker runs', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const notADir = join(dir, 'plain-file');
  writeFileSync(notADir, '');
  const r = await runCli(['start', fixture('log-on-request.js'), '--log-file', join(notADir, 'app.log')], { home: dir });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cannot open the log file .*plain-file\/app\.log.*\[ERR_HERD_LOG_FILE\]/);
  assert.doesNotMatch(r.stdout, /listening on/);
});
