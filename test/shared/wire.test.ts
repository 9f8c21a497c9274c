import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import v8 from 'node:v8';
import { message } from '../../src/shared/protocol.js';
import { decode, encode, jsonExact } from '../../src/shared/wire.js';

// What the IPC channel would deliver: a string is parsed back by decode(), an object goes through V8.
function overTheWire(msg: ReturnType<typeof message>): unknown {
  const wire = encode(msg);
  return decode(v8.deserialize(v8.serialize(wire)));
}

const shared = { a: 1 };
const named: unknown[] & { extra?: string } = [1, 2];
named.extra = 'y';
const cycle: Record<string, unknown> = {};
cycle.self = cycle;

const exact: Record<string, unknown> = {
  nested: { a: [{ b: 'c' }], n: null, t: true, f: false },
  numbers: [2 ** 53 + 2, 1e-300, -1.5e308, 0.1, 0],
  strings: ['', 'é', '😀', '\n"\\', '\u0000', '\ud800x\udfff'],
  protoKey: JSON.parse('{"__proto__":{"polluted":true},"x":1}'),
};
const notExact: Record<string, unknown> = {
  negZero: -0,
  nan: NaN,
  infinity: Infinity,
  undefinedAlone: undefined,
  undefinedInArray: [1, undefined, 3],
  undefinedInObject: { a: undefined },
  // eslint-disable-next-line no-sparse-arrays
  sparse: [1, , 3],
  sharedReference: [shared, shared],
  cycle,
  arrayNamedProperty: named,
  nullPrototype: Object.assign(Object.create(null), { x: 1 }),
  bigint: 1n,
  date: new Date(0),
  map: new Map([[1, 2]]),
  buffer: Buffer.from('x'),
  error: new Error('x'),
  big: 'x'.repeat(64 * 1024),
};

test('jsonExact: true only for what JSON carries exactly, within the size budget', () => {
  for (const [name, value] of Object.entries(exact)) assert.equal(jsonExact(value, 16 * 1024), true, name);
  for (const [name, value] of Object.entries(notExact)) assert.equal(jsonExact(value, 16 * 1024), false, name);
  assert.equal(jsonExact('x'.repeat(100), 50), false, 'past the budget');
});

test('encode: a JSON-exact message goes as a string, any other as the object itself', () => {
  const plain = message('deliver', { event: 'e', args: [exact.nested], from: { code: 'A', id: 1, pid: 2 } });
  assert.equal(typeof encode(plain), 'string');
  for (const [name, value] of Object.entries(notExact)) {
    const msg = message('deliver', { event: 'e', args: [value], from: { code: 'A', id: 1, pid: 2 } });
    assert.equal(encode(msg), msg, name);
  }
});

test('every value arrives as the structured clone would give it', () => {
  for (const [name, value] of Object.entries({ ...exact, ...notExact })) {
    const msg = message('deliver', { event: 'e', args: [value], from: { code: null, id: null, pid: 1 } });
    const got = overTheWire(msg);
    assert.ok(isDeepStrictEqual(got, v8.deserialize(v8.serialize(msg))), name);
  }
});

test('decode leaves what is not herd JSON alone', () => {
  assert.equal(decode('{"ns":"OTHER"}'), '{"ns":"OTHER"}');
  assert.equal(decode('hello'), 'hello');
  const obj = { ns: 'HERD', verb: 'ready' };
  assert.equal(decode(obj), obj);
});
