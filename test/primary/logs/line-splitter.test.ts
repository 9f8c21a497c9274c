import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../../src/primary/logs/line-splitter.js';

function split(chunks: Array<string | Buffer>, maxLine?: number, end = true): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  const s = new LineSplitter((line, continued) => out.push([line, continued]), maxLine);
  for (const c of chunks) s.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  if (end) s.end();
  return out;
}

test('a partial line waits for its end across chunks; CRLF loses the CR', () => {
  assert.deepEqual(split(['ab', 'c\nde', 'f\r\n', 'g'], undefined, false), [['abc', false], ['def', false]]);
  assert.deepEqual(split(['ab', 'c\nlast']), [['abc', false], ['last', false]]);
  assert.deepEqual(split(['\n\n']), [['', false], ['', false]]);
});

test('a line over the cap is cut into continued pieces of exactly the cap', () => {
  assert.deepEqual(split(['0123456789AB\n'], 5), [['01234', true], ['56789', true], ['AB', false]]);
  assert.deepEqual(split(['012', '3456', '7\n'], 5), [['01234', true], ['567', false]]);
});

test('a cut never splits a UTF-8 character', () => {
  // 'é' is 2 bytes: a cap of 5 falls inside the third one.
  const pieces = split(['ééééé\n'], 5);
  assert.deepEqual(pieces, [['éé', true], ['éé', true], ['é', false]]);
  assert.ok(pieces.every(([p]) => !p.includes('\uFFFD')));
});

test('the cap must be a sensible integer', () => {
  assert.throws(() => new LineSplitter(() => {}, 0), RangeError);
  assert.throws(() => new LineSplitter(() => {}, 2.5), RangeError);
});

test('lines come out the same however the bytes are chunked (multi-byte text, CRLF, cut lines)', () => {
  const lines = Array.from({ length: 400 }, (_, i) => `${i} ${'é€😀x'.repeat(i % 13)}${i % 7 === 0 ? '\r' : ''}`);
  const bytes = Buffer.from(`${lines.join('\n')}\n`);
  const expected = lines.map((l) => l.replace(/\r$/, ''));
  let seed = 7;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n) + 1;
  for (let round = 0; round < 50; round++) {
    const got: string[] = [];
    const splitter = new LineSplitter((line, continued) => {
      assert.equal(continued, false);
      got.push(line);
    });
    for (let at = 0; at < bytes.length;) {
      const size = random(round % 2 === 0 ? 40 : 3000);
      splitter.push(bytes.subarray(at, at + size));
      at += size;
    }
    splitter.end();
    assert.deepEqual(got, expected);
  }
});
