import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test("a process the worker's app forks (with herd's preload and environment) does not read the worker's channel", async (t) => {
  const herd = await startHerd(t, [fixture('channel-forks-child.js'), '-w', '2']);
  const m = await herd.waitFor(/^A \d+ \| A forked child (.*)$/m);
  assert.deepEqual(JSON.parse(m[1]!), { channelFd: null, right: 300 });
});
