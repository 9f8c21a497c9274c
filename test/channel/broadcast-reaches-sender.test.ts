import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

for (const workers of [2, 3]) {
  test(`broadcast reaches every worker, the sender included (${workers} workers)`, async (t) => {
    const herd = await startHerd(t, [fixture('channel-broadcast.js'), '-w', String(workers)]);
    const codes = ['A', 'B', 'C'].slice(0, workers);
    for (const code of codes) await herd.waitFor(new RegExp(`^${code} \\d+ \\| ${code} got news extra 42 from A$`, 'm'));
    assert.equal(herd.count(/got news/g), workers);
  });
}
