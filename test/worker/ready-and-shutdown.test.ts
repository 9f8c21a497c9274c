import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../helpers/herd.js';

test('an app that never listens is ready once it calls ready(); onShutdown hooks run on stop', async (t) => {
  const herd = await startHerd(t, [fixture('ready-without-listen.js'), '-w', '2']);
  assert.match(herd.output, /consumer A ready/);
  assert.match(herd.output, /consumer B ready/);
  const { workers } = await herd.status();
  assert.deepEqual(workers.map((w) => w.state), ['ready', 'ready']);

  herd.signal('SIGINT');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.match(herd.output, /consumer A shut down/);
  assert.match(herd.output, /consumer B shut down/);
  assert.deepEqual(await waitGone(workers.map((w) => w.pid)), []);
});

test('a CommonJS app that requires herd: async onShutdown hooks finish before exit', async (t) => {
  const herd = await startHerd(t, [fixture('shutdown-hook.cjs'), '-w', '2']);
  const r = await herd.cli('stop');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /stopped/);
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.equal(herd.count(/hook done in [AB]/g), 2);
});
