import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test('sending to a worker while it exits and is replaced crashes neither the sender nor the primary', async (t) => {
  const herd = await startHerd(t, [fixture('channel-send-to-exiting.js'), '-w', '2']);
  const pids = await herd.waitFor(/ready, 2 workers \(A=(\d+) B=(\d+)\)/);
  await herd.waitFor(new RegExp(`worker B \\(pid ${pids[2]}\\) exited unexpectedly with code 0`));
  const m = await herd.waitFor(/^A \d+ \| A survived: sent (\d+), refused (\d+)$/m);
  assert.ok(Number(m[1]) > 0);
  const after = await herd.status();
  const a = after.workers.find((w) => w.code === 'A')!;
  // A is the same process, never restarted; B was replaced once.
  assert.equal(a.pid, Number(pids[1]));
  assert.equal(a.restarts, 0);
  assert.equal(after.workers.find((w) => w.code === 'B')!.restarts, 1);
  assert.doesNotMatch(herd.output, /uncaughtException|EPIPE|ERR_IPC_CHANNEL_CLOSED/);
  // Messages that found no B were reported to A, once per event while B was gone, not once each.
  assert.ok(herd.count(/ERR_HERD_UNKNOWN_TARGET\] HerdError: emitTo\("B", "m"\)/g) <= 3, herd.output);
});
