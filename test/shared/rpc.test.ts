import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Correlator } from '../../src/shared/rpc.js';

test('a reply settles its own request once; late and unknown replies are dropped', () => {
  const rpc = new Correlator<string>();
  const got: string[] = [];
  const a = rpc.open({ settle: (v) => got.push(`a:${v}`), expire: () => got.push('a:expired') });
  const b = rpc.open({ settle: (v) => got.push(`b:${v}`), expire: () => got.push('b:expired') });
  assert.notEqual(a, b);
  assert.equal(rpc.settle(b, 'one'), true);
  assert.equal(rpc.settle(b, 'again'), false);
  assert.equal(rpc.settle(999, 'stray'), false);
  assert.equal(rpc.settle(a, 'two'), true);
  assert.deepEqual(got, ['b:one', 'a:two']);
  assert.equal(rpc.size, 0);
});

test('a request that times out expires, and its late reply is dropped', async () => {
  const rpc = new Correlator<string>();
  const outcome = await new Promise<string>((resolve) => {
    const id = rpc.open({ settle: (v) => resolve(`settled ${v}`), expire: () => resolve(`expired ${id}`) }, 20);
  });
  assert.match(outcome, /^expired \d+$/);
  const id = Number(outcome.split(' ')[1]);
  assert.equal(rpc.has(id), false);
  assert.equal(rpc.settle(id, 'late'), false);
  assert.equal(rpc.size, 0);
});

test('drop forgets a request without settling it and clears its timer', async () => {
  const rpc = new Correlator<string>();
  let calls = 0;
  const id = rpc.open({ settle: () => calls++, expire: () => calls++ }, 10);
  assert.equal(rpc.drop(id), true);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(calls, 0);
  assert.equal(rpc.size, 0);
});
