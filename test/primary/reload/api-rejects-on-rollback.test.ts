import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { start, type HerdError } from 'herd';
import { fixture, isAlive, tempDir, waitGone } from '../../helpers/herd.js';

test('app.reload() resolves on a new generation and rejects with the error output when it rolls back', async (t) => {
  const dir = tempDir('herd-app-');
  const app = join(dir, 'app.js');
  copyFileSync(fixture('http-server.js'), app);
  const herd = await start({ script: app, workers: 2, home: join(dir, 'home'), logs: { terminal: false } });
  const seen = new Set(herd.workers().map((w) => w.pid));
  t.after(async () => {
    await herd.stop();
    for (const pid of seen) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const events: Array<{ generation: number; ok: boolean; error?: Error }> = [];
  herd.on('reload', (e) => events.push(e));
  herd.on('worker-ready', (w) => seen.add(w.pid));

  const first = herd.workers();
  await herd.reload();
  const second = herd.workers();
  assert.deepEqual(second.map((w) => [w.code, w.generation, w.state]), [['A', 2, 'ready'], ['B', 2, 'ready']]);
  assert.ok(second.every((w) => !first.some((f) => f.pid === w.pid)));
  assert.deepEqual(await waitGone(first.map((w) => w.pid)), []);

  copyFileSync(fixture('crash-on-boot.js'), app);
  await assert.rejects(herd.reload(), (error: HerdError) => {
    assert.equal(error.code, 'ERR_HERD_RELOAD_FAILED');
    assert.match(error.message, /reload failed at worker A/);
    assert.match(error.message, /crash-on-boot: the database is not there/);
    return true;
  });
  assert.deepEqual(herd.workers().map((w) => [w.code, w.pid, w.state]), second.map((w) => [w.code, w.pid, 'ready']));
  assert.deepEqual(events.map((e) => [e.generation, e.ok]), [[2, true], [3, false]]);
  assert.equal((events[1]!.error as HerdError).code, 'ERR_HERD_RELOAD_FAILED');

  await herd.stop();
  assert.deepEqual(await waitGone(second.map((w) => w.pid)), []);
});
