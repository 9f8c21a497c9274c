import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT, RunningHerd, fixture, tempDir } from '../../helpers/herd.js';

// The control socket opens while the workers boot. A signal that arrives the
// moment it first answers must neither stop the primary (the default action
// of SIGTTIN and SIGTTOU) nor end it (SIGHUP), and must take effect once the
// workers are up.

const TRIES = Number(process.env.HERD_EARLY_SIGNAL_TRIES ?? 8);
const PARALLEL = 4;

/** Connects to the control socket until it answers, as fast as possible. */
async function firstAnswer(path: string, herd: RunningHerd): Promise<void> {
  for (;;) {
    if (herd.child.exitCode !== null) throw new Error(`herd exited before its control socket answered:\n${herd.output}`);
    const answered = await new Promise<boolean>((resolve) => {
      const socket = net.connect(path);
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (answered) return;
    await new Promise((r) => setImmediate(r));
  }
}

/** Process state from /proc: 'T' is stopped. */
function state(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

const effects: Record<string, { workers: number; effect: RegExp }> = {
  SIGTTIN: { workers: 1, effect: /scaled to 2 workers/ },
  SIGTTOU: { workers: 2, effect: /scaled to 1 worker \(/ },
  SIGHUP: { workers: 1, effect: /reload to generation 2 done/ },
  SIGUSR2: { workers: 1, effect: /reopened the log file/ },
};

async function once(t: { after(fn: () => unknown): void }, signal: NodeJS.Signals, i: number): Promise<void> {
  const home = tempDir('herd-sig-');
  const name = `s${i}`;
  const { workers, effect } = effects[signal]!;
  const child = spawn(process.execPath, [CLI, 'start', fixture('http-server.js'), '-w', String(workers), '--name', name, '--log-file', join(home, 'app.log')], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', HERD_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const herd = new RunningHerd(child, home, name);
  t.after(() => herd.cleanup());
  await firstAnswer(join(home, `${name}.sock`), herd);
  herd.signal(signal);
  await herd.waitFor(effect, 60_000);
  assert.notEqual(state(herd.pid), 'T', `${signal} stopped the primary`);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null }, `${signal} try ${i}:\n${herd.output}`);
}

for (const signal of Object.keys(effects) as NodeJS.Signals[]) {
  test(`${signal} sent the moment the control socket first answers takes effect (${TRIES} tries)`, async (t) => {
    for (let i = 0; i < TRIES; i += PARALLEL) {
      await Promise.all(Array.from({ length: Math.min(PARALLEL, TRIES - i) }, (_, k) => once(t, signal, i + k)));
    }
  });
}
