import assert from 'node:assert/strict';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, isAlive, startHerd, tempDir } from '../../helpers/herd.js';
import { load } from '../../helpers/http.js';

test('a reload to code that never becomes ready rolls back after readyTimeout', async (t) => {
  const dir = tempDir('herd-app-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = join(dir, 'app.js');
  const config = join(dir, 'herd.config.json');
  copyFileSync(fixture('http-server.js'), app);
  // A generous readyTimeout for the first boot (a busy machine), the short one for the reload (which re-reads the config).
  writeFileSync(config, JSON.stringify({ script: 'app.js', workers: 2 }));
  const herd = await startHerd(t, ['--config', config]);
  const port = await herd.port();
  const before = (await herd.status()).workers;
  const traffic = load(port, 8);
  t.after(() => traffic.stop());

  copyFileSync(fixture('never-ready.js'), app);
  writeFileSync(config, JSON.stringify({ script: 'app.js', workers: 2, readyTimeout: 1500 }));
  const r = await herd.cli('reload');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ERR_HERD_RELOAD_FAILED/);
  const m = r.stderr.match(/worker A \(pid (\d+)\) was not ready within readyTimeout \(1500 ms\)/);
  assert.ok(m, r.stderr);

  // The hanging replacement was removed; the old workers serve on.
  assert.equal(isAlive(Number(m[1])), false);
  const after = (await herd.status()).workers;
  assert.deepEqual(after.map((w) => [w.code, w.pid, w.state]), before.map((w) => [w.code, w.pid, 'ready']));
  const stats = await traffic.stop();
  assert.deepEqual(stats.errors, []);
  assert.equal(stats.failed, 0);
  assert.deepEqual(stats.pids, new Set(before.map((w) => w.pid)));

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
