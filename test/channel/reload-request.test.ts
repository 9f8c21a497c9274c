import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test('channel.reload() from a worker makes the primary run a rolling reload', async (t) => {
  const herd = await startHerd(t, [fixture('channel-asks-reload.js'), '-w', '2']);
  await herd.waitFor(/ready in A generation 2$/m);
  await herd.waitFor(/ready in B generation 2$/m);
  const status = await herd.status();
  assert.equal(status.generation, 2);
  // The old workers were retired as their replacements became ready: only generation 2 serves.
  const serving = status.workers.filter((w) => w.state === 'ready');
  assert.deepEqual(serving.map((w) => [w.code, w.generation]), [['A', 2], ['B', 2]]);
  assert.equal(herd.count(/ready in [AB] generation 1$/gm), 2);
});
