import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixture, startHerd, tempDir, waitGone } from '../helpers/herd.js';

test('more than maxRestarts restarts within the window: herd stops everything and exits 1', async (t) => {
  const home = tempDir();
  const config = `${home}/herd.config.json`;
  writeFileSync(config, JSON.stringify({
    script: fixture('exit-after-listen.js'),
    workers: 2,
    restart: { minDelay: 10, maxDelay: 50, maxRestarts: 3, window: 60_000 },
  }));
  const herd = await startHerd(t, ['--config', config], { home, wait: false });
  const exit = await herd.exited;
  assert.equal(exit.code, 1);
  assert.match(herd.output, /crash loop: more than 3 restarts within 60000 ms/);
  assert.match(herd.output, /exited unexpectedly with code 3/);
  // 2 first workers + at most 4 restarts (the 4th trips the limit): no fork storm.
  const pids = new Set([...herd.output.matchAll(/^[AB] (\d+) \| listening/gm)].map((m) => Number(m[1])));
  assert.ok(pids.size <= 6, `forked ${pids.size} workers`);
  assert.deepEqual(await waitGone([...pids]), []);
});
