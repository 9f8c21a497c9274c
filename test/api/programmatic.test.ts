import assert from 'node:assert/strict';
import { test } from 'node:test';
import { start, type WorkerInfo } from 'herd';
import { fixture, tempDir, waitGone } from '../helpers/herd.js';
import { freePort, getJson } from '../helpers/http.js';

test('start() resolves once all workers are ready; workers(), events and stop() work', async (t) => {
  const home = tempDir();
  const port = await freePort();
  const app = await start({
    script: fixture('http-server.js'),
    workers: 2,
    home,
    name: 'api',
    // Its port is chosen here: a worker's 'listening on' log line may reach the primary after its ready message.
    env: { PORT: String(port) },
    logs: { terminal: false },
  });
  t.after(() => app.kill());
  const workers = app.workers();
  assert.deepEqual(workers.map((w) => w.code), ['A', 'B']);
  for (const w of workers) {
    assert.equal(w.state, 'ready');
    assert.equal(w.restarts, 0);
    assert.ok(w.pid > 0 && w.id > 0 && w.startedAt > 0);
  }
  assert.ok([workers[0]!.pid, workers[1]!.pid].includes((await getJson(port)).pid));

  // A crash: worker-exit (unexpected), then worker-ready for the replacement in slot B.
  const exited = new Promise<unknown>((resolve) => app.once('worker-exit', resolve));
  const readyAgain = new Promise<WorkerInfo>((resolve) => app.once('worker-ready', resolve));
  process.kill(workers[1]!.pid, 'SIGKILL');
  const exit = (await exited) as { code: string; pid: number; signal: string; expected: boolean };
  assert.equal(exit.code, 'B');
  assert.equal(exit.pid, workers[1]!.pid);
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.expected, false);
  const replacement = await readyAgain;
  assert.equal(replacement.code, 'B');
  assert.equal(replacement.restarts, 1);

  const pids = app.workers().map((w) => w.pid);
  await app.stop();
  assert.deepEqual(app.workers(), []);
  assert.deepEqual(await waitGone(pids), []);
});

test('start() rejects with a stable code on bad options and on boot failure', async () => {
  await assert.rejects(start({ script: fixture('http-server.js'), workers: 'many' as never, home: tempDir() }), {
    code: 'ERR_HERD_INVALID_OPTION',
    message: /`workers` must be 'auto' or an integer/,
  });
  await assert.rejects(start({ script: fixture('crash-on-boot.js'), workers: 1, home: tempDir(), logs: { terminal: false } }), {
    code: 'ERR_HERD_BOOT_FAILED',
    message: /crash-on-boot: the database is not there/,
  });
});
