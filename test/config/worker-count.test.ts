import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveWorkerCount } from '../../src/config/workers.js';
import { slotCode } from '../../src/shared/codes.js';

test('worker count: auto and 0 are one per CPU, -k is CPUs minus k (at least 1), n is n', () => {
  assert.equal(resolveWorkerCount('auto', 8), 8);
  assert.equal(resolveWorkerCount(0, 8), 8);
  assert.equal(resolveWorkerCount(-1, 8), 7);
  assert.equal(resolveWorkerCount(-7, 8), 1);
  assert.equal(resolveWorkerCount(-20, 8), 1);
  assert.equal(resolveWorkerCount(3, 8), 3);
  assert.equal(resolveWorkerCount(16, 2), 16);
});

test('slot codes run A..Z, then AA, AB, … like spreadsheet columns', () => {
  assert.equal(slotCode(0), 'A');
  assert.equal(slotCode(25), 'Z');
  assert.equal(slotCode(26), 'AA');
  assert.equal(slotCode(27), 'AB');
  assert.equal(slotCode(51), 'AZ');
  assert.equal(slotCode(52), 'BA');
  assert.equal(slotCode(701), 'ZZ');
  assert.equal(slotCode(702), 'AAA');
  assert.throws(() => slotCode(-1), RangeError);
});
