import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

for (const workers of [2, 3]) {
  test(`2000 messages from A to B arrive in the order sent, relayed by the primary (${workers} workers)`, async (t) => {
    const herd = await startHerd(t, [fixture('channel-order.js'), '-w', String(workers)], { env: { COUNT: '2000' } });
    const m = await herd.waitFor(/^B \d+ \| B received (\d+) first out of place (-?\d+)$/m);
    assert.equal(Number(m[1]), 2000);
    assert.equal(Number(m[2]), -1, `message ${m[2]} arrived out of place`);
  });
}
