import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { ResolvedOptions } from '../config/options.js';
import { CHANNEL_FD, ENV } from '../shared/env.js';
import { heartbeatInterval } from '../shared/stats.js';

// The worker preload sits beside this file in dist/ (both builds).
const PRELOAD = new URL('./preload.js', import.meta.url);
export const PRELOAD_PATH = fileURLToPath(PRELOAD);

let policySet = false;

/** The node flags of a worker: the primary's own, the user's `nodeArgs`, tsx for a .ts app, then herd's preload. */
export function workerExecArgv(options: ResolvedOptions, inspect: string[] = []): string[] {
  const loader = options.loader ? ['--import', options.loader] : [];
  return [...process.execArgv, ...options.nodeArgs, ...inspect, ...loader, '--import', PRELOAD.href];
}

/**
 * Forks one worker running the user's script, with the preload in front of it.
 * `instance` is the slot index, NODE_APP_INSTANCE (PM2's name, read by the `config` package).
 */
export function forkWorker(options: ResolvedOptions, code: string, generation: number, instance: number): Worker {
  if (!policySet) {
    // node:cluster freezes the policy at the first setupPrimary.
    cluster.schedulingPolicy = options.balancer === 'os' ? cluster.SCHED_NONE : cluster.SCHED_RR;
    policySet = true;
  }
  const inspect = inspectPort(options);
  cluster.setupPrimary({
    exec: options.script,
    args: options.args,
    execArgv: workerExecArgv(options, inspect),
    // node:cluster appends its own --inspect-port (9230, 9231, …) unless told 0 too.
    inspectPort: inspect.length > 0 ? 0 : undefined,
    // Pipes for stdout/stderr (the primary is the only writer of logs), the
    // IPC channel, and the channel's own pipe (src/shared/wire.ts).
    stdio: ['pipe', 'pipe', 'pipe', 'ipc', 'pipe'],
    // Structured clone on the IPC channel: Dates, Maps, Buffers, bigint arrive intact.
    serialization: 'advanced',
  });
  return cluster.fork({
    ...options.env,
    NODE_APP_INSTANCE: String(instance),
    [ENV.ROLE]: 'worker',
    [ENV.CODE]: code,
    [ENV.NAME]: options.name,
    [ENV.GENERATION]: String(generation),
    [ENV.SHUTDOWN_TIMEOUT]: String(options.shutdownTimeout),
    [ENV.BALANCER]: options.balancer,
    [ENV.HEARTBEAT]: String(heartbeatInterval(options.hangTimeout)),
    [ENV.MAX_REQUESTS]: String(options.maxRequests),
    [ENV.MAX_REQUESTS_JITTER]: String(options.maxRequestsJitter),
    [ENV.CHANNEL_FD]: String(CHANNEL_FD),
  });
}

const USES_INSPECTOR = /^--(inspect|inspect-brk|inspect-wait|inspect-port|debug-port)(=|$)/;

// With hang detection on, a hung worker's stack is read through the inspector,
// which herd opens with SIGUSR1 only once it has judged the worker hung. Port 0:
// each worker gets a free port, never Node's default 9229 (which would clash).
// The flag alone opens nothing. An app already run under an inspector keeps its own.
function inspectPort(options: ResolvedOptions): string[] {
  if (options.hangTimeout === 0 || process.execArgv.some((a) => USES_INSPECTOR.test(a))) return [];
  return ['--inspect-port=0'];
}
