import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

for (const workers of [2, 3]) {
  test(`map runs every worker's handler and returns one entry per worker (${workers} workers)`, async (t) => {
    const herd = await startHerd(t, [fixture('channel-map.js'), '-w', String(workers)]);
    const status = await herd.status();
    const m = await herd.waitFor(/^A \d+ \| A mapped (.*)$/m);
    const entries = JSON.parse(m[1]!);
    assert.deepEqual(entries, status.workers.map((w) => ({ code: w.code, value: { tag: 'x', code: w.code, pid: w.pid } })));
  });
}

test('a worker whose handler throws becomes an error entry; the others still answer', async (t) => {
  const herd = await startHerd(t, [fixture('channel-map.js'), '-w', '3'], { env: { FAIL: 'C' } });
  const m = await herd.waitFor(/^A \d+ \| A mapped (.*)$/m);
  const entries = JSON.parse(m[1]!) as Array<{ code: string; value?: { code: string }; error?: string; message?: string }>;
  assert.deepEqual(entries.map((e) => e.code), ['A', 'B', 'C']);
  assert.equal(entries[0]!.value!.code, 'A');
  assert.equal(entries[1]!.value!.code, 'B');
  assert.deepEqual(entries[2], { code: 'C', error: 'E_REFUSED', message: 'C refuses' });
});
