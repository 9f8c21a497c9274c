import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test("'ready' fires in every worker once all are addressable, and again in a replacement", async (t) => {
  const herd = await startHerd(t, [fixture('channel-ready.js'), '-w', '3']);
  const before = await herd.status();
  for (const w of before.workers) await herd.waitFor(new RegExp(`^${w.code} ${w.pid} \\| ready event in ${w.code} pid ${w.pid}$`, 'm'));
  const b = before.workers.find((w) => w.code === 'B')!;
  process.kill(b.pid, 'SIGKILL');
  const m = await herd.waitFor(/ready event in B pid \d+[\s\S]*ready event in B pid (\d+)$/m);
  assert.notEqual(Number(m[1]), b.pid);
  const after = await herd.status();
  assert.equal(after.workers.find((w) => w.code === 'B')!.pid, Number(m[1]));
  // The others did not fire again.
  assert.equal(herd.count(/ready event in A/g), 1);
  assert.equal(herd.count(/ready event in C/g), 1);
  assert.equal(herd.count(/ready event in B/g), 2);
});
