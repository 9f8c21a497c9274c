import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { own, start, stopPids, waitFor, waitGone } from './proc.mjs';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const READY = /herd: "[^"]*" ready, [^(]*\(([^)]*)\), primary pid (\d+)/;
const run = promisify(execFile);

function parsePids(list) {
  return list.trim().split(/\s+/).map((kv) => Number(kv.split('=')[1]));
}

/** Polls the log file for the ready line (used when the primary's stdout is not ours to read). */
async function readyFromFile(child, file, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch {}
    const m = text.match(READY);
    if (m) return m;
    if (child.exitCode !== null || child.signalCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`herd did not print its ready line into ${file}\n${child.output.slice(-2000)}`);
}

/**
 * `herd start <app> -w <workers>` through the real CLI (dist/cli.js), with its
 * own HERD_HOME. With `logFile`, the terminal copy of the log goes to /dev/null
 * and readiness is read from the file.
 */
export async function startHerd({ app, port, workers, env = {}, name = 'bench', logFile, extraArgs = [] }) {
  const home = mkdtempSync(join(tmpdir(), 'herd-bench-'));
  const args = [CLI, 'start', app, '-w', String(workers), '--name', name, ...extraArgs];
  if (logFile) args.push('--log-file', logFile);
  const childEnv = { ...env, HERD_HOME: home, NO_COLOR: '1', ...(port ? { PORT: String(port) } : {}) };
  const child = start(process.execPath, args, { label: 'herd', env: childEnv, stdout: logFile ? 'ignore' : 'pipe' });
  let workerPids = [];
  try {
    const m = logFile ? await readyFromFile(child, logFile) : await waitFor(child, READY);
    workerPids = parsePids(m[1]);
  } catch (error) {
    await stopPids([child.pid], { signal: 'SIGKILL' });
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  for (const pid of workerPids) own(pid, 'herd worker');

  /** Runs another herd command against this instance (status, reload, ...). */
  const cli = async (...cmd) => {
    const { stdout } = await run(process.execPath, [CLI, ...cmd, '--name', name], { env: { ...process.env, HERD_HOME: home, NO_COLOR: '1' } });
    return stdout;
  };
  const currentPids = async () => {
    try {
      const status = JSON.parse(await cli('status', '--json'));
      return status.workers.map((w) => w.pid);
    } catch {
      return [];
    }
  };

  return {
    kind: 'herd',
    url: port ? `http://127.0.0.1:${port}/` : undefined,
    primaryPid: child.pid,
    workerPids,
    pids: () => [child.pid, ...workerPids],
    home,
    child,
    cli,
    currentPids,
    async stop() {
      const pids = [...new Set([...workerPids, ...(await currentPids())])];
      for (const pid of pids) own(pid, 'herd worker');
      const needKill = await stopPids([child.pid], { timeout: 30_000 });
      const left = await waitGone(pids, 10_000);
      await stopPids(left, { signal: 'SIGKILL' });
      rmSync(home, { recursive: true, force: true });
      if (needKill.length > 0 || left.length > 0) {
        throw new Error(`herd did not stop cleanly: primary SIGKILLed: ${needKill.length > 0}, workers left behind: ${left.join(' ') || 'none'}`);
      }
    },
  };
}
