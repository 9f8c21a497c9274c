import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { linesOf } from '../helpers/channel.js';

for (const workers of [2, 3]) {
  test(`emitTo reaches one worker by code, by cluster id and by pid (${workers} workers)`, async (t) => {
    const herd = await startHerd(t, [fixture('channel-emit-to.js'), '-w', String(workers)]);
    const others = ['B', 'C'].slice(0, workers - 1);
    for (const code of others) {
      for (const how of ['code', 'id', 'pid']) {
        await herd.waitFor(new RegExp(`^${code} \\d+ \\| ${code} got hi via ${how} from A sender=A$`, 'm'));
      }
    }
    // Each message reached its target once, and A (the sender) got none.
    assert.equal(linesOf(herd.output, /got hi/).length, 3 * others.length);
    assert.equal(herd.count(/^A \d+ \| A got hi/gm), 0);
  });
}
