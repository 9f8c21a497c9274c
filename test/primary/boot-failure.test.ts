import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test('an app that throws at boot: exit 1 and the error shown', async (t) => {
  const herd = await startHerd(t, [fixture('crash-on-boot.js'), '-w', '2'], { wait: false });
  const exit = await herd.exited;
  assert.equal(exit.code, 1);
  assert.match(herd.output, /crash-on-boot: the database is not there/);
  assert.match(herd.output, /every worker failed while booting/);
  assert.match(herd.output, /ERR_HERD_BOOT_FAILED/);
  // No fork storm: herd gives up as soon as every slot has failed once; a slot
  // that failed first may have been retried once (after minDelay) meanwhile.
  assert.ok(herd.count(/^A \d+ ! uncaughtException: Error: crash-on-boot/gm) <= 2, herd.output);
  assert.ok(herd.count(/^B \d+ ! uncaughtException: Error: crash-on-boot/gm) <= 2, herd.output);
});

test('a worker that is never ready: exit 1 after readyTimeout', async (t) => {
  const home = (await import('../helpers/herd.js')).tempDir();
  const { writeFileSync } = await import('node:fs');
  const config = `${home}/herd.config.json`;
  writeFileSync(config, JSON.stringify({ script: fixture('never-ready.js'), workers: 1, readyTimeout: 500 }));
  const herd = await startHerd(t, ['--config', config], { wait: false, home });
  const exit = await herd.exited;
  assert.equal(exit.code, 1);
  assert.match(herd.output, /not ready within readyTimeout \(500 ms\): it never listened on a port and never called ready\(\); an app that serves no port must call ready\(\)/);
});
