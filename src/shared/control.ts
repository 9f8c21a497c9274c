import net from 'node:net';
import { checkName } from '../config/name.js';
import type { SerializedError } from '../errors.js';
import type { WorkerInfo } from '../primary/registry.js';
import type { ProcessStats, WorkerStats } from './stats.js';
import type { FleetStatus } from '../fleet/fleet.js';

// The control socket speaks newline-delimited JSON: one request per line from
// the CLI, one response per line (and, for `logs --follow`, one line event per
// log line) from the primary.

export type ControlRequest =
  | { id: number; cmd: 'status' }
  | { id: number; cmd: 'stop' }
  | { id: number; cmd: 'reload' }
  | { id: number; cmd: 'scale'; count: number }
  | { id: number; cmd: 'logs'; lines: number; follow: boolean }
  | { id: number; cmd: 'reopen-logs' }
  | { id: number; cmd: 'launch' };

export type ControlCommand = ControlRequest['cmd'];

export interface StatusResult {
  name: string;
  pid: number;
  startedAt: number;
  generation: number;
  single: boolean;
  /** How connections reach the workers (absent with --single). */
  balancer?: string;
  /** The primary's own memory, CPU and event-loop delay. */
  primary: ProcessStats;
  /** Where Prometheus metrics are served, when they are. */
  metrics: string | null;
  /** Where the web dashboard is served, when it is. */
  dashboard: string | null;
  workers: WorkerStatus[];
  /** The app, the number of worker slots, and where `herd start` ran (null when started through the API). */
  script: string;
  slots: number;
  cwd: string | null;
  config: string | null;
  /** With `redis`: this host, Redis' state, and the other hosts of the fleet. */
  fleet?: FleetStatus;
}

/** How `herd start` was run, so `herd restart` can run it again. */
export interface LaunchInfo {
  /** The arguments after `start` (without `-d`), and the app's after `--`. */
  argv: string[];
  appArgs: string[];
  cwd: string;
  env: Record<string, string>;
  /** The config file it read, if any. */
  config: string | null;
}

/** A worker in `herd status --json`: its stats are null until its first heartbeat. */
export type WorkerStatus = WorkerInfo & { uptime: number } & NullableStats;
type NullableStats = { [K in keyof WorkerStats]: WorkerStats[K] | null };

export type ControlResponse =
  | { id: number; ok: true; result?: unknown }
  | { id: number; ok: false; error: SerializedError }
  | { id: number; line: string };

/** Longest request line the primary reads; anything longer is refused. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** The most workers `scale` accepts, wherever it is asked. */
export const MAX_WORKERS = 1024;

export function socketFile(home: string, name: string): string {
  // Every caller checked the name at its boundary; this is the last line of defence.
  checkName('name', name);
  return `${home.replace(/\/+$/, '')}/${name}.sock`;
}

/** Does anything listen on this socket? (A dead primary leaves the file behind.) */
export function probe(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(path);
    // A listener whose accept queue is full does not connect at once; it still is alive.
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    // Only these mean nobody listens; anything else (EAGAIN: a full backlog) is someone alive.
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'));
  });
}
