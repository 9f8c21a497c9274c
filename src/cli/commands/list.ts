import { lstatSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { inspectHome } from '../../config/home.js';
import { isValidName } from '../../config/name.js';
import { execFileSync } from 'node:child_process';
import { herdHome } from '../../config/resolve.js';
import { EXIT } from '../../errors.js';
import { probe, socketFile, type StatusResult } from '../../shared/control.js';
import { call } from '../client.js';
import { duration, table } from '../output.js';

// `herd list` (alias `ls`): every herd answering in $HERD_HOME. A socket file
// nobody answers on was left by a dead primary: it is removed.

export interface ListEntry {
  name: string;
  pid: number;
  /** Workers ready, and worker slots. */
  ready: number;
  workers: number;
  /** ms since the primary started. */
  uptime: number;
  startedAt: number;
  /** Resident memory of the primary and its workers together, bytes (null when unknown). */
  memory: number | null;
  script: string;
}

/** RSS in bytes of each pid: /proc on Linux, `ps` elsewhere; a pid that is gone counts 0. */
export function rssOf(pids: number[]): number | null {
  if (pids.length === 0) return 0;
  if (process.platform === 'linux') {
    let total = 0;
    for (const pid of pids) {
      try {
        const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        total += m ? Number(m[1]) * 1024 : 0;
      } catch { /* exited meanwhile */ }
    }
    return total;
  }
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '-p', pids.join(',')], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).reduce((sum, kb) => sum + Number(kb.trim()) * 1024, 0);
  } catch {
    return null;
  }
}

export async function listHerds(home: string): Promise<ListEntry[]> {
  let names: string[];
  if (!inspectHome(home)) return [];
  try {
    names = readdirSync(home).filter((f) => f.endsWith('.sock')).map((f) => f.slice(0, -'.sock'.length)).filter(isValidName).sort();
  } catch {
    return [];
  }
  const entries = await Promise.all(names.map(async (name): Promise<ListEntry | undefined> => {
    const path = socketFile(home, name);
    if (!(await probe(path))) {
      // Only a socket of ours a dead primary left; a file someone put there is theirs.
      try {
        const stats = lstatSync(path);
        if (stats.isSocket() && stats.uid === process.getuid?.()) unlinkSync(path);
      } catch { /* another herd list got there first */ }
      return undefined;
    }
    // It answered the probe but may be stopping: leave it out rather than fail the list.
    const status = (await call(home, name, { cmd: 'status' }).result.catch(() => undefined)) as StatusResult | undefined;
    if (!status) return undefined;
    const now = Date.now();
    return {
      name: status.name,
      pid: status.pid,
      ready: status.workers.filter((w) => w.state === 'ready').length,
      workers: status.slots ?? new Set(status.workers.map((w) => w.code)).size,
      uptime: now - status.startedAt,
      startedAt: status.startedAt,
      memory: rssOf([status.pid, ...(status.single ? [] : status.workers.map((w) => w.pid))]),
      script: status.script ?? '',
    };
  }));
  return entries.filter((e): e is ListEntry => e !== undefined);
}

function megabytes(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function listCommand(flags: { json?: boolean }): Promise<number> {
  const herds = await listHerds(herdHome());
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(herds, null, 2)}\n`);
    return EXIT.OK;
  }
  if (herds.length === 0) {
    process.stdout.write(`no herd running (HERD_HOME ${herdHome()})\n`);
    return EXIT.OK;
  }
  const rows = herds.map((h) => [h.name, String(h.pid), `${h.ready}/${h.workers}`, duration(h.uptime), megabytes(h.memory), h.script]);
  process.stdout.write(`${table([['NAME', 'PID', 'WORKERS', 'UPTIME', 'MEMORY', 'SCRIPT'], ...rows])}\n`);
  return EXIT.OK;
}
