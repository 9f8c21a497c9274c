import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import { ENTRY_OVERHEAD, MemoryStore, NUMBER_BYTES } from '../../src/state/store.js';
import { encode } from '../../src/state/values.js';

async function until(check: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  // Expiry is timer-driven: there is no event to wait on from outside.
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const plain = (value: unknown) => encode('test', value);
const bytes = (n: number) => ({ value: new Uint8Array(n), encoded: true, size: n });

test('expired keys are freed by their timer, without anyone reading them: size and bytes go back to zero', async () => {
  const store = new MemoryStore(0);
  for (let i = 0; i < 1000; i++) store.set(`k${i}`, plain({ i }), 50);
  store.set('kept', plain(1), 0);
  assert.equal(store.size, 1001);
  await until(() => store.size === 1, 'the 1000 keys to expire');
  assert.equal(store.bytes, 'kept'.length + NUMBER_BYTES + ENTRY_OVERHEAD);
  assert.deepEqual(store.get('kept'), [1, false]);
});

test('overwriting a key replaces its ttl: no timer from the old value deletes the new one', async () => {
  const store = new MemoryStore(0);
  store.set('a', plain(1), 30);
  store.set('a', plain(2), 0);
  store.set('b', plain(1), 30);
  await until(() => store.get('b') === undefined, 'b to expire');
  assert.deepEqual(store.get('a'), [2, false]);
  assert.equal(store.size, 1);
});

test('incr keeps the ttl; expire sets one without touching the value', async () => {
  const store = new MemoryStore(0);
  store.set('n', plain(1), 60_000);
  assert.equal(store.incr('n', 2), 3);
  assert.equal(store.expire('n', 30), true);
  assert.equal(store.expire('missing', 30), false);
  assert.deepEqual(store.get('n'), [3, false]);
  await until(() => store.size === 0, 'n to expire');
});

test('storeMaxBytes: a write past it is refused and changes nothing; replacing a value counts the difference', () => {
  const store = new MemoryStore(1000);
  store.set('a', bytes(500), 0);
  assert.throws(() => store.set('b', bytes(500), 0), { code: 'ERR_HERD_STORE_FULL', message: /store\.set\("b"\).*over storeMaxBytes \(1000\)/ });
  assert.equal(store.get('b'), undefined);
  assert.equal(store.size, 1);
  // The same key, a bigger value that still fits once the old one is gone.
  store.set('a', bytes(800), 0);
  assert.equal((store.get('a')![0] as Uint8Array).byteLength, 800);
  assert.equal(store.bytes, 1 + 800 + ENTRY_OVERHEAD);
  // Plain values count what the sender estimated.
  store.delete('a');
  store.set('s', plain('x'.repeat(500)), 0);
  assert.equal(store.bytes, 1 + 500 + 16 + ENTRY_OVERHEAD);
  assert.throws(() => store.set('t', plain({ text: 'y'.repeat(500) }), 0), { code: 'ERR_HERD_STORE_FULL' });
  store.delete('s');
  assert.equal(store.bytes, 0);
});

test('V8 bytes are copied out of the message they came in: the message can be freed', () => {
  const store = new MemoryStore(0);
  const message = new Uint8Array(64 * 1024);
  const view = message.subarray(100, 110);
  view[0] = 7;
  store.set('v', { value: view, encoded: true, size: 10 }, 0);
  view[0] = 8;
  const stored = store.get('v')![0] as Uint8Array;
  assert.equal(stored[0], 7);
  assert.equal(stored.buffer.byteLength, 10);
});

test('binary data and class instances travel as V8 bytes; plain data as it is; functions and symbols are refused', () => {
  assert.equal(encode('t', { a: [1, 'x', new Map([[1, new Date(0)]])], b: 5n }).encoded, false);
  assert.equal(encode('t', { buf: Buffer.from('x') }).encoded, true);
  assert.equal(encode('t', new (class Point { x = 1; })()).encoded, true);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(encode('t', cyclic).encoded, false);
  assert.throws(() => encode('store.set("k")', { deep: [() => 1] }), { code: 'ERR_HERD_UNSERIALIZABLE', message: /^store\.set\("k"\): the value is not structured-clone data \(it contains a function\)/ });
  assert.throws(() => encode('t', Symbol('s')), { code: 'ERR_HERD_UNSERIALIZABLE' });
  assert.throws(() => encode('t', { buf: Buffer.from('x'), fn: () => 1 }), { code: 'ERR_HERD_UNSERIALIZABLE' });
});

test('incr on a value that is not a number: ERR_HERD_NOT_A_NUMBER, value unchanged', () => {
  const store = new MemoryStore(0);
  store.set('s', plain('text'), 0);
  store.set('b', { value: v8.serialize(5), encoded: true, size: 3 }, 0);
  assert.throws(() => store.incr('s', 1), { code: 'ERR_HERD_NOT_A_NUMBER' });
  assert.throws(() => store.incr('b', 1), { code: 'ERR_HERD_NOT_A_NUMBER' });
  assert.deepEqual(store.get('s'), ['text', false]);
});
