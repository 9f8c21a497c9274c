import type { ResolvedOptions } from '../config/options.js';
import type { Fleet } from '../fleet/fleet.js';
import type { LaunchInfo, StatusResult, WorkerStatus } from '../shared/control.js';
import type { HungInfo } from './health/hang.js';
import type { LocalHealth } from './health/local.js';
import type { HealthMonitor } from './health/monitor.js';
import type { RecycledInfo } from './health/recycle.js';
import type { HerdCounts } from './metrics/herd-metrics.js';
import type { SingleRunner } from './single.js';
import type { Supervisor } from './supervisor.js';

// What a running herd says about itself: the status that `herd status`, the
// dashboard and the control socket get (the herd, then a row per worker with
// its latest stats), and the counts of events behind herd's own Prometheus
// metrics. Read from the app's parts when asked; HerdApp only hands them over.

/** The parts of a running herd the status is read from. */
export interface StatusParts {
  name: string;
  startedAt: number;
  options: ResolvedOptions;
  engine: Supervisor | SingleRunner;
  health: HealthMonitor | LocalHealth;
  /** Where metrics and the dashboard are served, when they are. */
  metricsUrl: string | undefined;
  dashboardUrl: string | undefined;
  launch: LaunchInfo | undefined;
  fleet: Fleet | undefined;
}

export function herdStatus(parts: StatusParts): StatusResult {
  const { options, engine, health, launch, fleet } = parts;
  const now = Date.now();
  return {
    name: parts.name,
    pid: process.pid,
    startedAt: parts.startedAt,
    generation: engine.generation,
    single: options.single,
    ...(options.single ? {} : { balancer: options.balancer }),
    primary: health.primaryStats(),
    metrics: parts.metricsUrl ?? null,
    dashboard: parts.dashboardUrl ?? null,
    workers: engine.workers().map((w): WorkerStatus => {
      const stats = health.stats(w.id);
      return {
        ...w,
        uptime: now - w.startedAt,
        memory: stats?.memory ?? null,
        cpu: stats?.cpu ?? null,
        eventLoopDelay: stats?.eventLoopDelay ?? null,
        // herd's accept path counts them as it deals them; with 'os' the worker's heartbeat says.
        connections: engine.connections(w.id) ?? stats?.connections ?? null,
        requests: stats?.requests ?? null,
      };
    }),
    script: options.script,
    slots: engine.registry.slots.length,
    cwd: launch?.cwd ?? null,
    config: launch?.config ?? null,
    ...(fleet ? { fleet: fleet.status() } : {}),
  };
}

/** Counts one of the app's events, for the metrics that read `counts`. */
export function countEvent(counts: HerdCounts, event: string, info: unknown): void {
  if (event === 'worker-hung') {
    const { code } = info as HungInfo;
    counts.hung.set(code, (counts.hung.get(code) ?? 0) + 1);
  } else if (event === 'worker-recycled') {
    const key = `${(info as RecycledInfo).code} ${(info as RecycledInfo).reason}`;
    counts.recycled.set(key, (counts.recycled.get(key) ?? 0) + 1);
  } else if (event === 'reload') {
    if ((info as { ok: boolean }).ok) counts.reloads.ok++;
    else counts.reloads.failed++;
  }
}
