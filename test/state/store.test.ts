import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import { ENTRY_OVERHEAD, MemoryStore } from '../../src/state/store.js';

async function until(check: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  // Expiry is timer-driven: there is no event to wait on from outside.
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('expired keys are freed by their timer, without anyone reading them: size and bytes go back to zero', async () => {
  const store = new MemoryStore(0);
  for (let i = 0; i < 1000; i++) store.set(`k${i}`, v8.serialize({ i }), 50);
  store.set('kept', 1, 0);
  assert.equal(store.size, 1001);
  await until(() => store.size === 1, 'the 1000 keys to expire');
  assert.equal(store.bytes, 'kept'.length + 8 + ENTRY_OVERHEAD);
  assert.equal(store.get('kept'), 1);
});

test('overwriting a key replaces its ttl: no timer from the old value deletes the new one', async () => {
  const store = new MemoryStore(0);
  store.set('a', 1, 30);
  store.set('a', 2, 0);
  store.set('b', 1, 30);
  await until(() => store.get('b') === undefined, 'b to expire');
  assert.equal(store.get('a'), 2);
  assert.equal(store.size, 1);
});

test('incr keeps the ttl; expire sets one without touching the value', async () => {
  const store = new MemoryStore(0);
  store.set('n', 1, 60_000);
  assert.equal(store.incr('n', 2), 3);
  assert.equal(store.expire('n', 30), true);
  assert.equal(store.expire('missing', 30), false);
  assert.equal(store.get('n'), 3);
  await until(() => store.size === 0, 'n to expire');
});

test('storeMaxBytes: a write past it is refused and changes nothing; replacing a value counts the difference', () => {
  const store = new MemoryStore(1000);
  store.set('a', new Uint8Array(500), 0);
  assert.throws(() => store.set('b', new Uint8Array(500), 0), { code: 'ERR_HERD_STORE_FULL', message: /store\.set\("b"\).*over storeMaxBytes \(1000\)/ });
  assert.equal(store.get('b'), undefined);
  assert.equal(store.size, 1);
  // The same key, a bigger value that still fits once the old one is gone.
  store.set('a', new Uint8Array(800), 0);
  assert.equal((store.get('a') as Uint8Array).byteLength, 800);
  assert.equal(store.bytes, 1 + 800 + ENTRY_OVERHEAD);
  store.delete('a');
  assert.equal(store.bytes, 0);
});

test('a stored value is a copy that does not keep a bigger buffer alive', () => {
  const store = new MemoryStore(0);
  const message = new Uint8Array(64 * 1024);
  const view = message.subarray(100, 110);
  view[0] = 7;
  store.set('v', view, 0);
  view[0] = 8;
  const stored = store.get('v') as Uint8Array;
  assert.equal(stored[0], 7);
  assert.equal(stored.buffer.byteLength, 10);
});

test('incr on a value that is not a number: ERR_HERD_NOT_A_NUMBER, value unchanged', () => {
  const store = new MemoryStore(0);
  const bytes = v8.serialize('text');
  store.set('s', bytes, 0);
  assert.throws(() => store.incr('s', 1), { code: 'ERR_HERD_NOT_A_NUMBER' });
  assert.deepEqual(store.get('s'), new Uint8Array(bytes));
});
