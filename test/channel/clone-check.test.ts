import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { checkCloneable, cloneArgs } from '../../src/channel/clone.js';

test('structured-clone data passes the sender check and its size is estimated', () => {
  const data: Record<string, unknown> = { when: new Date(), m: new Map([[1, 'a']]), s: new Set([1n]), e: new Error('x'), re: /a/g };
  data.self = data;
  assert.ok(checkCloneable('ok', [data, 1, 'text', null, undefined]) > 0);
  assert.ok(checkCloneable('big', [Buffer.alloc(1 << 20)]) >= 1 << 20);
  assert.ok(checkCloneable('big', ['x'.repeat(1 << 20)]) >= 1 << 20);
});

test('functions, symbols and host objects are refused with ERR_HERD_UNSERIALIZABLE naming the event', () => {
  const cases: Array<[unknown, RegExp]> = [
    [() => 1, /event "ev" contains a function/],
    [{ deep: [{ f: Symbol('s') }] }, /event "ev" contains a symbol/],
    [new Map([['k', () => 1]]), /contains a function/],
    [new net.Socket(), /contains a Socket/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => checkCloneable('ev', [value]), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_HERD_UNSERIALIZABLE');
      assert.match(error.message, message);
      return true;
    });
  }
});

test('the --single copy is deep and keeps Buffers as Buffers', () => {
  const original = { buf: Buffer.from('hi'), list: [1, 2] };
  const copy = cloneArgs(original);
  assert.ok(Buffer.isBuffer(copy.buf));
  assert.deepEqual(copy, original);
  copy.list.push(3);
  assert.deepEqual(original.list, [1, 2]);
});
