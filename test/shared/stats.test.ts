import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcessSampler } from '../../src/shared/stats.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Node 20's histogram records whole timer intervals: without taking its
// resolution off, an idle loop read as ~100 ms of delay.
test('event-loop delay: an idle loop reads near 0, a loop blocked 400 ms reads most of it', async (t) => {
  const sampler = new ProcessSampler();
  t.after(() => sampler.stop());
  await sleep(1200);
  const idle = sampler.sample().eventLoopDelay;
  assert.ok(idle.p50 < 50, `an idle loop read p50 ${idle.p50} ms`);

  await sleep(150);
  for (const end = Date.now() + 400; Date.now() < end;);
  await sleep(300);
  const blocked = sampler.sample().eventLoopDelay;
  assert.ok(blocked.max >= 250, `a 400 ms block read max ${blocked.max} ms`);
  assert.ok(blocked.max < 400 + 1000, `max ${blocked.max} ms is more than the block and a slow machine's margin`);
});
