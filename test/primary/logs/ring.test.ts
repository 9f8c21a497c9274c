import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ring } from '../../../src/primary/logs/ring.js';

test('the ring keeps the last lines, bounded in count', () => {
  const ring = new Ring(3, 1000);
  for (const l of ['a', 'b', 'c', 'd', 'e']) ring.push(l);
  assert.deepEqual(ring.tail(10), ['c', 'd', 'e']);
  assert.deepEqual(ring.tail(2), ['d', 'e']);
  assert.deepEqual(ring.tail(0), []);
});

test('the ring is bounded in characters, but always keeps the newest line', () => {
  const ring = new Ring(100, 10);
  for (const l of ['aaaa', 'bbbb', 'cccc']) ring.push(l);
  assert.deepEqual(ring.tail(10), ['bbbb', 'cccc']);
  ring.push('x'.repeat(50));
  assert.deepEqual(ring.tail(10), ['x'.repeat(50)]);
  assert.equal(ring.size, 1);
});
