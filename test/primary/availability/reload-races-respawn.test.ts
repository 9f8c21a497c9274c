import assert from 'node:assert/strict';
import { test } from 'node:test';
import { start, type WorkerInfo } from 'herd';
import { fixture, tempDir, waitGone } from '../../helpers/herd.js';
import { freePort, getJson } from '../../helpers/http.js';

// A reload that retires a worker forked a few ms ago: the shutdown must reach
// it even though its preload does not listen yet (node drops IPC messages
// that arrive before a listener). Before the fix the worker kept serving while
// listed `draining`, and a later stop waited for the SIGKILL.

test('reload, scale and stop 10 ms after a respawn reach the young worker: no SIGKILL, nothing serves while draining', async (t) => {
  const port = await freePort();
  const app = await start({
    script: fixture('http-server.js'),
    workers: 2,
    home: tempDir(),
    name: 'race',
    // Its port is chosen here: a worker's 'listening on' log line may reach the primary after its ready message.
    env: { PORT: String(port) },
    shutdownTimeout: 20_000,
    // Every kill below is then a crash of a serving worker: respawned at once, with no backoff.
    restart: { minUptime: 0 },
    logs: { terminal: false },
  });
  t.after(() => app.kill());
  const [a] = app.workers();

  const exits: Array<{ pid: number; signal: string | null }> = [];
  app.on('worker-exit', (w) => exits.push({ pid: w.pid, signal: w.signal }));
  const respawned = new Promise<void>((resolve) => app.once('worker-exit', () => resolve()));
  process.kill(a!.pid, 'SIGKILL');
  await respawned;
  // The respawn was forked synchronously on that exit; the reload retires it 10 ms later.
  const young = app.workers().find((w) => w.code === 'A' && w.pid !== a!.pid)!;
  assert.equal(young.state, 'starting');
  await new Promise((r) => setTimeout(r, 10));
  await app.reload();

  const after = app.workers();
  assert.deepEqual(after.map((w: WorkerInfo) => [w.code, w.state, w.generation]), [['A', 'ready', 2], ['B', 'ready', 2]]);
  assert.ok(!after.some((w) => w.pid === young.pid), 'the young worker is no longer listed');
  assert.deepEqual(await waitGone([young.pid], 5000), [], 'the young worker retired by the reload is gone');
  // Only the new generation answers.
  const serving = new Set<number>();
  for (let i = 0; i < 20; i++) serving.add((await getJson(port)).pid);
  for (const pid of serving) assert.ok(after.some((w) => w.pid === pid), `pid ${pid} serves but is not a current worker`);

  // Scale down 10 ms after B's respawn: the young B is retired at once.
  const b = after.find((w) => w.code === 'B')!;
  const bRespawned = new Promise<void>((resolve) => app.once('worker-exit', () => resolve()));
  process.kill(b.pid, 'SIGKILL');
  await bRespawned;
  const youngB = app.workers().find((w) => w.code === 'B' && w.pid !== b.pid)!;
  await new Promise((r) => setTimeout(r, 10));
  await app.scale(1);
  assert.deepEqual(await waitGone([youngB.pid], 10_000), [], 'the young worker retired by scale is gone');
  assert.deepEqual(app.workers().map((w) => w.code), ['A']);

  // Stop 10 ms after A's respawn: every worker leaves gracefully, well within shutdownTimeout.
  const a2 = app.workers()[0]!;
  const aRespawned = new Promise<void>((resolve) => app.once('worker-exit', () => resolve()));
  process.kill(a2.pid, 'SIGKILL');
  await aRespawned;
  await new Promise((r) => setTimeout(r, 10));
  const began = Date.now();
  await app.stop();
  const took = Date.now() - began;
  assert.ok(took < 20_000, `stop took ${took} ms: it waited for the SIGKILL at shutdownTimeout`);
  assert.deepEqual(exits.filter((e) => e.signal === 'SIGKILL').map((e) => e.pid).sort(), [a!.pid, b.pid, a2.pid].sort(), 'only the workers the test killed died by SIGKILL');
});
