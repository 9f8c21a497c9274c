import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { load } from '../../helpers/http.js';

test('a reload to code that throws at boot exits 1, keeps the old workers serving, drops nothing', async (t) => {
  const dir = tempDir('herd-app-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = join(dir, 'app.js');
  copyFileSync(fixture('http-server.js'), app);
  const herd = await startHerd(t, [app, '-w', '2']);
  const port = await herd.port();
  const before = (await herd.status()).workers;
  const traffic = load(port, 16);
  t.after(() => traffic.stop());

  // The new release on disk is broken.
  copyFileSync(fixture('crash-on-boot.js'), app);
  const r = await herd.cli('reload');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ERR_HERD_RELOAD_FAILED/);
  assert.match(r.stderr, /crash-on-boot: the database is not there/);

  const after = (await herd.status()).workers;
  assert.deepEqual(after.map((w) => [w.code, w.pid, w.state]), before.map((w) => [w.code, w.pid, 'ready']));
  const stats = await traffic.stop();
  assert.deepEqual(stats.errors, []);
  assert.equal(stats.failed, 0);
  assert.deepEqual(stats.pids, new Set(before.map((w) => w.pid)));
  assert.match(herd.output, /reload to generation 2 failed/);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
