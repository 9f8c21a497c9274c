import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, EXIT, exitCodeFor, HerdError, type HerdErrorCode } from '../../src/errors.js';
import { ROOT } from '../helpers/herd.js';

const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
const rows = [...doc.matchAll(/^\| `(ERR_HERD_\w+)` \| (\d|–) \|/gm)].map((m) => [m[1]!, m[2]!] as const);

test('docs/errors.md lists exactly the codes src/errors.ts defines', () => {
  assert.deepEqual(rows.map(([code]) => code).sort(), Object.keys(ERROR_CODES).sort());
});

test('the exit codes in docs/errors.md are the ones the CLI uses', () => {
  for (const [code, exit] of rows) {
    if (exit === '–') continue;
    assert.equal(exitCodeFor(new HerdError(code as HerdErrorCode, 'x')), Number(exit), code);
  }
  assert.equal(exitCodeFor(new Error('not ours')), EXIT.FAILED);
});
