import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';

test('an app\'s own `worker` field in a JSON line is kept; herd\'s tag goes under herdWorker', async (t) => {
  const herd = await startHerd(t, [fixture('log-json-worker-field.js'), '-w', '1']);
  const { workers } = await herd.status();
  const line = (await herd.waitFor(/^\{.*"charged".*\}$/m))[0];
  const entry = JSON.parse(line) as Record<string, unknown>;
  assert.equal(entry.worker, 'billing-job');
  assert.equal(entry.herdWorker, 'A');
  assert.equal(entry.pid, workers[0]!.pid);
  assert.equal(entry.msg, 'charged');
});
