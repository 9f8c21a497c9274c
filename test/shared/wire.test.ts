import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import v8 from 'node:v8';
import { message, type HerdMessage } from '../../src/shared/protocol.js';
import { encodeFrame, FrameReader, jsonExact } from '../../src/shared/wire.js';

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

const deliver = (value: unknown): HerdMessage => message('deliver', { event: 'e', args: [value], from: { code: 'A', id: 1, pid: 2 } });

/** Frames → bytes cut at every `cut` bytes → the messages read back. */
function roundTrip(msgs: HerdMessage[], cut: number): unknown[] {
  const bytes = Buffer.concat(msgs.map(encodeFrame));
  const out: unknown[] = [];
  const reader = new FrameReader((m) => out.push(m));
  for (let i = 0; i < bytes.length; i += cut) reader.push(bytes.subarray(i, i + cut));
  return out;
}

test('jsonExact: true only for what JSON carries exactly, within the size budget', () => {
  for (const [name, value] of Object.entries(exact)) assert.equal(jsonExact(value, 16 * 1024), true, name);
  for (const [name, value] of Object.entries(notExact)) assert.equal(jsonExact(value, 16 * 1024), false, name);
  assert.equal(jsonExact('x'.repeat(100), 50), false, 'past the budget');
});

test('a JSON-exact message is a JSON frame, any other a V8 frame', () => {
  const plain = encodeFrame(deliver(exact.nested));
  assert.equal(plain[4], 0);
  assert.deepEqual(JSON.parse(plain.subarray(5).toString('utf8')), deliver(exact.nested));
  for (const [name, value] of Object.entries(notExact)) assert.equal(encodeFrame(deliver(value))[4], 1, name);
  assert.throws(() => encodeFrame(deliver(() => {})), /could not be cloned/);
});

test('every value arrives as the structured clone would give it, however the bytes are cut', () => {
  const msgs = Object.values({ ...exact, ...notExact }).map(deliver);
  for (const cut of [1, 7, 4096, 1 << 20]) {
    const got = roundTrip(msgs, cut);
    assert.equal(got.length, msgs.length, `cut ${cut}`);
    got.forEach((m, i) => assert.ok(isDeepStrictEqual(m, v8.deserialize(v8.serialize(msgs[i]))), `cut ${cut}, message ${i}`));
  }
  const [sharedBack] = roundTrip([deliver([shared, shared])], 3) as Array<{ args: [[object, object]] }>;
  assert.equal(sharedBack!.args[0][0], sharedBack!.args[0][1]);
});
