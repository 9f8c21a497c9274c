import { EventEmitter } from 'node:events';
import type { ResolvedOptions } from '../config/options.js';
import { HerdError } from '../errors.js';
import type { HerdMessage } from '../shared/protocol.js';
import { MAX_WORKERS } from '../shared/control.js';
import { AcceptPath } from './balancing/accept-path.js';
import type { LogWriter } from './logs/writer.js';
import { Registry, workerInfo, type Slot, type WorkerInfo, type WorkerRecord } from './registry.js';
import { Respawner } from './respawn.js';
import { rollingReload, scaleTo, type Pool } from './rolling.js';
import { WorkerProcesses, type ExitReport } from './worker-process.js';
import type { WorkerStats } from '../shared/stats.js';
import { replaceHung, type HungInfo } from './health/hang.js';
import { recycle, type RecycledInfo, type RecycleReason } from './health/recycle.js';

// The engine in the primary: forks a worker per slot and wires every
// worker's events, hands a death nobody asked for to the respawner, runs
// reloads, scaling and recycles one at a time, and stops the herd. The
// mechanics of each process live in worker-process.ts, respawn with backoff
// and the crash loop in respawn.ts, the rolling operations in rolling.ts.

export interface WorkerExitInfo extends WorkerInfo {
  exitCode: number | null;
  signal: string | null;
  /** herd asked it to go (stop, reload, scale, or after an uncaught error). */
  expected: boolean;
}

export interface SupervisorEvents {
  'worker-ready': [WorkerInfo];
  'worker-exit': [WorkerExitInfo];
  'worker-message': [WorkerRecord, unknown];
  reload: [{ generation: number; ok: boolean; error?: Error }];
  'crash-loop': [HerdError];
  /** A stop began: whatever waits for a worker gives up. */
  stopping: [];
  'worker-hung': [HungInfo];
  'worker-recycled': [RecycledInfo];
  /** A rolling reload began (the dashboard's timeline). */
  'reload-start': [{ generation: number }];
  /** A scale finished: the number of slots before and after. */
  scale: [{ from: number; to: number }];
  'worker-stats': [{ code: string; id: number; pid: number; stats: WorkerStats }];
  stopped: [];
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly registry = new Registry();
  #options: ResolvedOptions;
  /** Options the next reload brings (herd reload re-read the config), and the worker count it scales to. */
  #next: { options: ResolvedOptions; workers: number | undefined } | undefined;
  readonly #logs: LogWriter;
  readonly #procs: WorkerProcesses;
  readonly #pool: Pool;
  readonly #respawn: Respawner;
  #generation = 1;
  #stopping: Promise<void> | undefined;
  #resolveStopped: (() => void) | undefined;
  #ops: Promise<unknown> = Promise.resolve();
  #reloadQueued: Promise<void> | undefined;
  #lastWorkerHangup = -Infinity;
  /** herd's own accept path; undefined with balancer 'os' (workers accept from node's shared socket). */
  readonly #accept: AcceptPath | undefined;

  constructor(options: ResolvedOptions, logs: LogWriter) {
    super();
    this.#options = options;
    this.#logs = logs;
    if (options.balancer !== 'os') {
      // A connection waits for a ready worker as long as a new worker may take to become one.
      this.#accept = new AcceptPath({ balancer: options.balancer, stickyHeader: options.sticky.header, waitMs: options.readyTimeout });
    }
    this.#procs = new WorkerProcesses(options, logs, {
      ready: (record) => this.#onReady(record),
      fatal: (record, msg) => this.#respawn.onFatal(record, msg),
      // Its outcome is in the log (#reloadOnce); the worker asked and does not wait.
      reloadRequested: () => void this.reload().catch(() => {}),
      message: (record, msg) => {
        this.#accept?.onMessage(record, msg);
        this.emit('worker-message', record, msg);
      },
      readyTimeout: (_record, reason) => {
        this.#respawn.lastError = reason;
        this.#logs.primary(reason, 'stderr');
      },
      hangup: () => { this.#lastWorkerHangup = Date.now(); },
      exit: (record, report) => this.#onExit(record, report),
    });
    const supervisor = this;
    this.#pool = {
      registry: this.registry,
      procs: this.#procs,
      logs,
      get stopping() { return supervisor.stopping; },
      spawn: (slot, probation) => this.#spawn(slot, probation),
      bootSlot: (slot) => this.#respawn.bootSlot(slot),
      // Keep-alive clients of the old workers come back through the balancer (not sticky: keys stay put).
      shed: (share) => {
        if (options.balancer === 'round-robin' || options.balancer === 'least-connections') this.#accept?.shed(share);
      },
    };
    this.#respawn = new Respawner(this.#pool, options.restart, (error) => {
      this.emit('crash-loop', error);
      void this.stop();
    });
  }

  get generation(): number {
    return this.#generation;
  }

  /** The options the current generation runs with. */
  get options(): ResolvedOptions {
    return this.#options;
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** When a SIGHUP last reached a worker (ms since the epoch): tells a group hangup from a reload signal. */
  get lastWorkerHangup(): number {
    return this.#lastWorkerHangup;
  }

  /** Why the herd stopped itself (a crash loop); undefined after a requested stop. */
  get failure(): HerdError | undefined {
    return this.#respawn.failure;
  }

  workers(): WorkerInfo[] {
    return this.registry.info();
  }

  /** Open connections of a worker, when herd's accept path deals them. */
  connections(id: number): number | undefined {
    return this.#accept?.connections(id);
  }

  /** Forks every slot; resolves when all are ready, rejects (after stopping) if the app cannot boot. */
  async start(): Promise<void> {
    const slots = Array.from({ length: this.#options.workers }, (_, i) => this.registry.slot(i));
    const booted = slots.map((slot) => this.#respawn.bootSlot(slot));
    try {
      await Promise.all(booted);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  #spawn(slot: Slot, probation: boolean): WorkerRecord {
    const record = this.#procs.fork(slot, this.#generation, probation);
    // A reload's replacement stays out of its slot until it is ready.
    if (probation) this.registry.live.set(record.id, record);
    else this.registry.add(record);
    return record;
  }

  #onReady(record: WorkerRecord): void {
    this.#respawn.ready();
    this.#accept?.onReady();
    this.emit('worker-ready', workerInfo(record));
  }

  /** @internal Sends a message to a worker if its IPC channel is open. */
  post(record: WorkerRecord, msg: HerdMessage): boolean {
    return this.#procs.post(record, msg);
  }

  /** @internal health: a hung worker is replaced at once and killed; not a restart. */
  replaceHung(record: WorkerRecord, silentFor: number): void {
    if (this.#stopping || record.retireReason !== undefined || record.slot.current !== record) return;
    void replaceHung(this.#pool, record, silentFor, this.#options.hangTimeout, workerInfo(record)).then((info) => this.emit('worker-hung', info));
  }

  /** @internal health: replacement ready first, then drain, between reloads and scales; not a restart. */
  recycle(record: WorkerRecord, reason: RecycleReason, detail: string): Promise<boolean> {
    if (this.#stopping) return Promise.resolve(false);
    return this.#serial(async () => {
      const info = await recycle(this.#pool, record, reason, detail, workerInfo(record));
      if (info) this.emit('worker-recycled', info);
      return info !== undefined;
    }).catch(() => false);
  }

  /** @internal an operator's replace (the dashboard): like a recycle, the replacement is ready before the worker drains. */
  replaceWorker(code: string, detail: string): Promise<RecycledInfo> {
    if (this.#stopping) return Promise.reject(new HerdError('ERR_HERD_STOPPING', 'herd is stopping; replace refused'));
    return this.#serial(async () => {
      const record = this.registry.slots.find((s) => s.code === code)?.current;
      if (!record || record.state !== 'ready') {
        throw new HerdError('ERR_HERD_UNKNOWN_TARGET', `there is no ready worker ${code} to replace (workers: ${this.registry.slots.map((s) => s.code).join(', ')})`);
      }
      const info = await recycle(this.#pool, record, 'manual', detail, workerInfo(record));
      if (!info) throw new HerdError('ERR_HERD_RELOAD_FAILED', `the replacement of worker ${code} did not become ready; pid ${record.pid} keeps serving (see the log)`);
      this.emit('worker-recycled', info);
      return info;
    });
  }

  // Every exit: out of the table first; a death nobody asked for goes to the respawner.
  #onExit(record: WorkerRecord, report: ExitReport): void {
    const expected = record.retireReason !== undefined || this.#stopping !== undefined;
    this.registry.remove(record);
    this.#accept?.onExit(record);
    if (report.wasStarting) this.#respawn.bootFailed(record.slot, report.reason);
    const { exitCode, signal } = report;
    this.emit('worker-exit', { ...workerInfo(record), exitCode, signal, expected });
    if (this.#stopping) return this.#checkStopped();
    if (!expected) this.#respawn.onExit(record, report);
  }

  // Reload and scale run one at a time.
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#ops.then(op, op);
    this.#ops = run.catch(() => {});
    return run;
  }

  /**
   * Rolling reload. A request made while one runs waits for it and then shares
   * one more reload with every other request made meanwhile, so each caller gets
   * workers forked after its request.
   */
  reload(options?: ResolvedOptions, workers?: number): Promise<void> {
    if (this.#stopping) return Promise.reject(new HerdError('ERR_HERD_STOPPING', 'herd is stopping; reload refused'));
    // The latest options asked for win: one reload carries them.
    if (options) this.#next = { options, workers };
    this.#reloadQueued ??= this.#serial(async () => {
      this.#reloadQueued = undefined;
      await this.#reloadOnce();
    });
    return this.#reloadQueued;
  }

  async #reloadOnce(): Promise<void> {
    if (this.#stopping) throw new HerdError('ERR_HERD_STOPPING', 'herd is stopping; reload refused');
    const generation = ++this.#generation;
    this.emit('reload-start', { generation });
    const previous = this.#options;
    const next = this.#next;
    this.#next = undefined;
    // New forks (the reload's and any respawn meanwhile) run with the new options.
    if (next) this.#use(next.options);
    try {
      await rollingReload(this.#pool, generation, next?.workers);
      this.emit('reload', { generation, ok: true });
    } catch (error) {
      // Rolled back: the old workers serve, and their respawns keep the old options.
      if (next) this.#use(previous);
      this.emit('reload', { generation, ok: false, error: error as Error });
      throw error;
    }
  }

  #use(options: ResolvedOptions): void {
    this.#options = options;
    this.#procs.configure(options);
  }

  /** Changes the number of workers; new slots take the next free codes, removal retires the highest. */
  scale(count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) {
      return Promise.reject(new HerdError('ERR_HERD_INVALID_OPTION', `\`count\` must be an integer from 1 to ${MAX_WORKERS}, received ${String(count)}`));
    }
    if (this.#stopping) return Promise.reject(new HerdError('ERR_HERD_STOPPING', 'herd is stopping; scale refused'));
    return this.#serial(() => this.#scaleTo(count));
  }

  async #scaleTo(count: number): Promise<void> {
    const from = this.registry.slots.length;
    await scaleTo(this.#pool, count);
    if (count !== from) this.emit('scale', { from, to: count });
  }

  /**
   * One worker more or less (SIGTTIN / SIGTTOU), counted when the change runs,
   * so signals sent in a burst each count. Never below one worker.
   */
  scaleBy(delta: number, source: string): Promise<void> {
    if (this.#stopping) return Promise.reject(new HerdError('ERR_HERD_STOPPING', 'herd is stopping; scale refused'));
    return this.#serial(async () => {
      const from = this.registry.slots.length;
      const count = Math.min(MAX_WORKERS, Math.max(1, from + delta));
      if (count === from) {
        this.#logs.primary(`herd: ${source} ignored: already at ${from} worker${from === 1 ? '' : 's'}`);
        return;
      }
      await this.#scaleTo(count);
    });
  }

  /** Graceful stop: every worker drains (SIGKILL after shutdownTimeout). */
  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    // Assigned before anything runs: a 'stopped' listener may call stop() again.
    this.#stopping = new Promise<void>((resolve) => { this.#resolveStopped = resolve; });
    for (const slot of this.registry.slots) clearTimeout(slot.respawnTimer);
    this.#accept?.close();
    for (const record of this.registry.live.values()) this.#procs.retire(record, 'stop');
    this.emit('stopping');
    this.#checkStopped();
    return this.#stopping;
  }

  /** The second Ctrl-C: kill everything now. */
  kill(): void {
    void this.stop();
    for (const record of this.registry.live.values()) this.#procs.kill(record);
  }

  #checkStopped(): void {
    if (this.registry.live.size > 0 || !this.#resolveStopped) return;
    const resolve = this.#resolveStopped;
    this.#resolveStopped = undefined;
    this.emit('stopped');
    resolve();
  }
}
