import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

for (const workers of [2, 3]) {
  test(`map turns a hanging worker into an ERR_HERD_TIMEOUT entry after its timeout (${workers} workers)`, async (t) => {
    const herd = await startHerd(t, [fixture('channel-map.js'), '-w', String(workers)], { env: { HANG: 'B', MAP_TIMEOUT: '1500' } });
    const m = await herd.waitFor(/^A \d+ \| A mapped (.*)$/m);
    const entries = JSON.parse(m[1]!) as Array<{ code: string; value?: { code: string }; error?: string; message?: string }>;
    assert.deepEqual(entries.map((e) => e.code), ['A', 'B', 'C'].slice(0, workers));
    assert.deepEqual(entries[1], { code: 'B', error: 'ERR_HERD_TIMEOUT', message: 'worker B did not answer "stats" within 1500 ms' });
    for (const e of entries.filter((x) => x.code !== 'B')) assert.equal(e.value!.code, e.code);
  });
}
