import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

for (const workers of [2, 3]) {
  test(`consume runs each job in exactly one worker, spreads them, and returns the value (${workers} workers)`, async (t) => {
    const herd = await startHerd(t, [fixture('channel-consume.js'), '-w', String(workers)]);
    const m = await herd.waitFor(/^A \d+ \| A consumed (.*)$/m);
    const answers = JSON.parse(m[1]!) as Array<{ n: number; by: string }>;
    assert.deepEqual(answers.map((a) => a.n), Array.from({ length: 20 }, (_, i) => i * 2));
    for (let i = 0; i < 20; i++) assert.equal(herd.count(new RegExp(`ran job ${i}$`, 'gm')), 1, `job ${i} ran once`);
    // Every worker took a share.
    assert.equal(new Set(answers.map((a) => a.by)).size, workers, herd.output);
    for (const a of answers) assert.equal(herd.count(new RegExp(`^${a.by} \\d+ \\| ${a.by} ran job ${a.n / 2}$`, 'gm')), 1);
  });
}

test('consume rejects with the handler\'s error, and with ERR_HERD_NO_LISTENER when nobody listens', async (t) => {
  const herd = await startHerd(t, [fixture('channel-consume.js'), '-w', '2']);
  await herd.waitFor(/A consume failure: E_APP handler said no$/m);
  await herd.waitFor(/A consume without listener: ERR_HERD_NO_LISTENER$/m, 30_000);
});
