import diagnostics from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { reconfigure } from '../config/reloadable.js';
import type { ResolvedOptions } from '../config/options.js';
import type { LaunchInfo, StatusResult } from '../shared/control.js';
import type { WorkerStats } from '../shared/stats.js';
import { HerdError } from '../errors.js';
import { MAX_WORKERS } from '../shared/control.js';
import { machine, meanRss, oversizeWarning } from './capacity.js';
import { ControlServer } from './control/server.js';
import { LogWriter } from './logs/writer.js';
import type { WorkerInfo } from './registry.js';
import { SingleRunner } from './single.js';
import { Supervisor, type WorkerExitInfo } from './supervisor.js';
import type { HungInfo } from './health/hang.js';
import { LocalHealth } from './health/local.js';
import { HealthMonitor } from './health/monitor.js';
import type { RecycledInfo } from './health/recycle.js';
import { ClusterAppMetrics, type AppMetricsSource } from './metrics/app-metrics.js';
import { newCounts, type HerdCounts } from './metrics/herd-metrics.js';
import { MetricsServer } from './metrics/server.js';
import type { DashboardServer } from './dashboard/server.js';
import { collectAppMetrics } from '../worker/metrics.js';
import type { Fleet } from '../fleet/fleet.js';
import { countEvent, herdStatus } from './status.js';

// The public face of a running herd (start.ts assembles one). The engine
// (Supervisor, or SingleRunner with --single) sits behind private fields; what
// the herd says about itself (status, event counts) is read in status.ts.

export interface HerdAppEvents {
  'worker-ready': [WorkerInfo];
  'worker-exit': [WorkerExitInfo];
  reload: [{ generation: number; ok: boolean; error?: Error }];
  'crash-loop': [Error];
  'worker-hung': [HungInfo];
  'worker-recycled': [RecycledInfo];
  'worker-stats': [WorkerStatsEvent];
}

export interface WorkerStatsEvent {
  code: string;
  id: number;
  pid: number;
  stats: WorkerStats;
}

type Engine = Supervisor | SingleRunner;

/** What `herd reload` answers. */
export interface ReloadReport {
  generation: number;
  /** Changed options that only `herd restart` applies, e.g. `balancer ("round-robin" → "os")`. */
  needsRestart: string[];
}

/** Re-reads the configuration (config file and CLI flags) and validates it; throws when it is bad. */
export type ConfigSource = () => Promise<ResolvedOptions>;

// Every API event is also published on diagnostics_channel as `herd:<event>`.
const EVENTS = ['worker-ready', 'worker-exit', 'reload', 'crash-loop', 'worker-hung', 'worker-recycled', 'worker-stats'] as const;
const channels = new Map(EVENTS.map((e) => [e, diagnostics.channel(`herd:${e}`)]));

export class HerdApp extends EventEmitter<HerdAppEvents> {
  readonly name: string;
  readonly startedAt = Date.now();
  #options: ResolvedOptions;
  /** The configuration as last read, to tell what an edit changed. */
  #loaded: ResolvedOptions;
  #configSource: ConfigSource | undefined;
  #launch: LaunchInfo | undefined;
  readonly #engine: Engine;
  readonly #logs: LogWriter;
  readonly #health: HealthMonitor | LocalHealth;
  readonly #counts: HerdCounts = newCounts();
  #metrics: MetricsServer | undefined;
  #dashboard: DashboardServer | undefined;
  #control: ControlServer | undefined;
  #fleet: Fleet | undefined;
  #stopped: Promise<void> | undefined;
  /** Resolves once the herd has stopped, whoever asked (stop(), a signal, a crash loop). */
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  /** Resolves once workers have exited and logs are flushed, before the control socket closes. */
  readonly drained: Promise<void>;
  #resolveDrained!: () => void;

  /** @internal use start() */
  constructor(options: ResolvedOptions, engine: Engine, logs: LogWriter) {
    super();
    this.name = options.name;
    this.#options = options;
    this.#loaded = options;
    this.#engine = engine;
    this.#logs = logs;
    this.closed = new Promise((resolve) => { this.#resolveClosed = resolve; });
    this.drained = new Promise((resolve) => { this.#resolveDrained = resolve; });
    this.#health = engine instanceof Supervisor ? new HealthMonitor(engine, options) : new LocalHealth();
    for (const event of EVENTS) {
      (engine as EventEmitter).on(event, (info: unknown) => {
        countEvent(this.#counts, event, info);
        this.emit(event, info as never);
        const channel = channels.get(event)!;
        if (channel.hasSubscribers) channel.publish(info);
      });
    }
    // Whatever stops the engine (a crash loop, the app's own fatal error in --single) closes the app.
    engine.on('stopped', () => void this.stop());
  }

  /** The options the current generation runs with. */
  get options(): ResolvedOptions {
    return this.#options;
  }

  /** @internal where `reload` re-reads the configuration from (set by `herd start`). */
  set configSource(source: ConfigSource | undefined) {
    this.#configSource = source;
  }

  /** @internal how `herd start` ran (set by the CLI; `herd restart` runs it again). */
  set launch(info: LaunchInfo | undefined) {
    this.#launch = info;
  }

  /** @internal */
  launchInfo(): LaunchInfo {
    if (!this.#launch) {
      throw new HerdError('ERR_HERD_UNSUPPORTED', `"${this.name}" was started through the API, not herd start: restart it from the program that started it`);
    }
    return this.#launch;

  }

  /** @internal Serves Prometheus metrics, when `metrics` is set. */
  async openMetrics(): Promise<void> {
    const m = this.options.metrics;
    if (!m) return;
    const engine = this.#engine;
    const app: AppMetricsSource = engine instanceof Supervisor
      ? new ClusterAppMetrics(engine)
      : { collect: async () => [await collectAppMetrics()] };
    const health = this.#health;
    this.#metrics = await MetricsServer.open(m.port, m.host, { slots: () => health.slots(), workers: () => this.workers(), counts: this.#counts }, app);
    this.#logs.primary(`herd: metrics on ${this.#metrics.url}`);
  }

  /** @internal Serves the web dashboard, when `dashboard` is set; its module is loaded only then. */
  async openDashboard(): Promise<void> {
    const d = this.options.dashboard;
    if (!d) return;
    const { DashboardServer } = await import('./dashboard/server.js');
    const engine = this.#engine;
    this.#dashboard = await DashboardServer.open({ ...d, home: this.options.home, name: this.name }, {
      status: () => this.status(),
      reload: () => this.reloadReport(),
      scale: (count) => this.scale(count),
      replace: (code) => engine instanceof Supervisor
        ? engine.replaceWorker(code, 'replaced from the dashboard')
        : Promise.reject(new HerdError('ERR_HERD_UNSUPPORTED', 'replacing a worker is not available with --single: the app runs inside the primary')),
      logs: this.#logs,
      app: this,
      engine,
    });
    this.#logs.primary(`herd: dashboard on ${this.#dashboard.url}`);
  }

  /** The web dashboard, when it is served: its URL, the actions' token and the file that holds it. */
  get dashboard(): { url: string; token: string; tokenFile: string } | undefined {
    const d = this.#dashboard;
    return d && { url: d.url, token: d.token, tokenFile: d.tokenFile };
  }

  /** @internal the token was made by herd (herd start prints it), not set by `dashboard.token`. */
  get dashboardTokenGenerated(): boolean {
    return this.#dashboard?.generated ?? false;
  }

  /** Where Prometheus metrics are served (`http://127.0.0.1:PORT/metrics`), when they are. */
  get metricsUrl(): string | undefined {
    return this.#metrics?.url;
  }

  /** @internal */
  get logs(): LogWriter {
    return this.#logs;
  }

  /** @internal */
  get engine(): Engine {
    return this.#engine;
  }

  /** @internal the fleet this herd belongs to, with `redis` */
  set fleet(fleet: Fleet | undefined) {
    this.#fleet = fleet;
  }

  /** @internal */
  set control(control: ControlServer | undefined) {
    this.#control = control;
  }

  /** Why the herd stopped itself (crash loop, or the app's fatal error with --single). */
  get failure(): Error | undefined {
    return this.#engine.failure;
  }

  workers(): WorkerInfo[] {
    return this.#engine.workers();
  }

  status(): StatusResult {
    return herdStatus({
      name: this.name,
      startedAt: this.startedAt,
      options: this.#options,
      engine: this.#engine,
      health: this.#health,
      metricsUrl: this.#metrics?.url,
      dashboardUrl: this.#dashboard?.url,
      launch: this.#launch,
      fleet: this.#fleet,
    });
  }

  /** Rolling reload; resolves when the new generation serves, rejects if it rolled back. */
  async reload(): Promise<void> {
    await this.reloadReport();
  }

  /**
   * @internal The reload behind `herd reload` and SIGHUP: under `herd start` it
   * first re-reads and validates the configuration (a bad one refuses the
   * reload and changes nothing), then the new generation runs with it.
   */
  async reloadReport(): Promise<ReloadReport> {
    const engine = this.#engine;
    if (!this.#configSource || !(engine instanceof Supervisor)) {
      await engine.reload();
      return { generation: engine.generation, needsRestart: [] };
    }
    let loaded: ResolvedOptions;
    try {
      loaded = await this.#configSource();
    } catch (error) {
      this.#logs.primary(`herd: reload refused, the configuration is not valid: ${(error as Error).message}`, 'stderr');
      throw error;
    }
    const { options, needsRestart } = reconfigure(this.#options, loaded);
    if (needsRestart.length > 0) {
      this.#logs.primary(`herd: not applied by a reload, needs herd restart: ${needsRestart.join(', ')}`, 'stderr');
    }
    // `workers` only when the config's value changed: a reload keeps a `herd scale`.
    await engine.reload(options, loaded.workers === this.#loaded.workers ? undefined : loaded.workers);
    this.#loaded = loaded;
    this.#options = engine.options;
    return { generation: engine.generation, needsRestart };
  }

  scale(count: number): Promise<void> {
    const warning = this.oversizeWarning(count);
    if (warning) this.#logs.primary(warning, 'stderr');
    return this.#engine.scale(count);
  }

  /** @internal Why `count` workers would overload this machine, if they would. */
  oversizeWarning(count: number): string | undefined {
    if (this.options.single || !Number.isInteger(count) || count < 1 || count > MAX_WORKERS) return undefined;
    const workers = this.workers();
    return oversizeWarning(count, workers.length, machine(), meanRss(workers.map((w) => w.pid)));
  }

  /** @internal SIGTTIN / SIGTTOU: one worker more or less, never below one. */
  scaleBy(delta: number, source: string): Promise<void> {
    const engine = this.#engine;
    return engine instanceof Supervisor ? engine.scaleBy(delta, source) : engine.scale(delta);
  }

  /** Graceful stop; resolves when every worker has exited and every log line is written. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.#engine.stop();
      // After the workers: their last store and lock calls still reach Redis.
      await this.#fleet?.close();
      this.#health.stop();
      await this.#metrics?.close();
      await this.#dashboard?.close();
      await this.#logs.close();
      this.#resolveDrained();
      await this.#control?.close();
      this.#resolveClosed();
    })();
    return this.#stopped;
  }

  /** Stop now: SIGKILL every worker. */
  kill(): void {
    this.#engine.kill();
  }
}
