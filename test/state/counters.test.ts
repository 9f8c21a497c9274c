import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

// 2 workers, each: 2,000 concurrent incr('n'), then 200 concurrent read-modify-writes of 'c'.
test('2 workers: 4,000 concurrent incr give exactly 4,000; 400 locked read-modify-writes give exactly 400', async (t) => {
  const herd = await startHerd(t, [fixture('state-counters.js'), '-w', '2']);
  const m = await herd.waitFor(/totals n=(\d+) c=(\d+)$|counters failed/m, 300_000);
  assert.equal(Number(m[1]), 4000);
  assert.equal(Number(m[2]), 400);
});

test('the same read-modify-writes without the lock lose updates', async (t) => {
  const herd = await startHerd(t, [fixture('state-counters.js'), '-w', '2'], { env: { NO_LOCK: '1' } });
  const m = await herd.waitFor(/totals n=(\d+) c=(\d+)$|counters failed/m, 300_000);
  assert.equal(Number(m[1]), 4000);
  assert.ok(Number(m[2]) < 400, `expected lost updates, got c=${m[2]}`);
});
