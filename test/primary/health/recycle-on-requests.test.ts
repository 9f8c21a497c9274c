import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { load } from '../../helpers/http.js';

test('maxRequests 100 with jitter 50 recycles workers at staggered counts under load, no request fails, restarts stay 0', async (t) => {
  const dir = tempDir();
  const config = join(dir, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ script: fixture('http-server.js'), workers: 2, maxRequests: 100, maxRequestsJitter: 50 }));
  const herd = await startHerd(t, ['--config', config]);
  const port = await herd.port();

  const traffic = load(port, 4);
  t.after(() => traffic.stop());
  const recycled = /herd: recycling worker [AB] \(pid \d+\): (\d+) requests served, its limit is (\d+)/g;
  await herd.waitFor(/(herd: worker [AB] recycled \(requests\)[\s\S]*){3}/, 90_000);
  const stats = await traffic.stop();
  assert.equal(stats.failed, 0, stats.errors.join('\n'));

  const limits = [...herd.output.matchAll(recycled)].map((m) => [Number(m[1]), Number(m[2])] as const);
  assert.ok(limits.length >= 3, herd.output);
  for (const [served, limit] of limits) {
    assert.ok(limit >= 100 && limit <= 150, `limit ${limit}`);
    assert.ok(served >= limit, `served ${served} < limit ${limit}`);
  }
  // Each worker draws its own limit: they are not all the same (all equal: odds 1 in 51^3).
  assert.ok(new Set(limits.map(([, limit]) => limit)).size > 1, `limits ${limits.map(([, l]) => l).join(' ')}`);

  // A last recycle may still be under way (its replacement starting): every worker counts no restart.
  const after = (await herd.status()).workers;
  assert.deepEqual([...new Set(after.map((w) => w.code))], ['A', 'B']);
  for (const w of after) assert.equal(w.restarts, 0, JSON.stringify(w));
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
