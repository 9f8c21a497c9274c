import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

for (const workers of [2, 3]) {
  test(`2000 messages from A to B arrive in the order sent, relayed by the primary (${workers} workers)`, async (t) => {
    const herd = await startHerd(t, [fixture('channel-order.js'), '-w', String(workers)], { env: { COUNT: '2000' } });
    await herd.waitFor(/^B \d+ \| B received 2000 in order$/m);
  });
}
