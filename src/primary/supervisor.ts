import { EventEmitter } from 'node:events';
import type { ResolvedOptions } from '../config/options.js';
import { HerdError } from '../errors.js';
import type { FatalMessage, HerdMessage } from '../shared/protocol.js';
import { MAX_WORKERS } from '../shared/control.js';
import { RestartPolicy } from './backoff.js';
import { AcceptPath } from './balancing/accept-path.js';
import type { LogWriter } from './logs/writer.js';
import { Registry, type Slot, type WorkerInfo, type WorkerRecord } from './registry.js';
import { rollingReload, scaleTo, type Pool } from './rolling.js';
import { WorkerProcesses, type ExitReport } from './worker-process.js';
import type { WorkerStats } from '../shared/stats.js';
import { replaceHung, type HungInfo } from './health/hang.js';
import { recycle, type RecycledInfo, type RecycleReason } from './health/recycle.js';

// The engine in the primary: forks a worker per slot, respawns with backoff,
// stops the herd on a crash loop, replaces a faulty worker before it retires,
// and runs reloads and scaling one at a time. The mechanics of each process
// live in worker-process.ts, the rolling operations in rolling.ts.

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
  readonly #policy: RestartPolicy;
  readonly #procs: WorkerProcesses;
  readonly #pool: Pool;
  readonly #bootFailed = new Set<number>();
  #generation = 1;
  #everReady = false;
  #stopping: Promise<void> | undefined;
  #resolveStopped: (() => void) | undefined;
  #crashError: HerdError | undefined;
  #ops: Promise<unknown> = Promise.resolve();
  #reloadQueued: Promise<void> | undefined;
  #lastError: string | undefined;
  #lastWorkerHangup = -Infinity;
  /** herd's own accept path; undefined with balancer 'os' (workers accept from node's shared socket). */
  readonly #accept: AcceptPath | undefined;

  constructor(options: ResolvedOptions, logs: LogWriter) {
    super();
    this.#options = options;
    this.#logs = logs;
    this.#policy = new RestartPolicy(options.restart);
    if (options.balancer !== 'os') {
      // A connection waits for a ready worker as long as a new worker may take to become one.
      this.#accept = new AcceptPath({ balancer: options.balancer, stickyHeader: options.sticky.header, waitMs: options.readyTimeout });
    }
    this.#procs = new WorkerProcesses(options, logs, {
      ready: (record) => this.#onReady(record),
      fatal: (record, msg) => this.#onFatal(record, msg),
      // Its outcome is in the log (#reloadOnce); the worker asked and does not wait.
      reloadRequested: () => void this.reload().catch(() => {}),
      message: (record, msg) => {
        this.#accept?.onMessage(record, msg);
        this.emit('worker-message', record, msg);
      },
      readyTimeout: (_record, reason) => {
        this.#lastError = reason;
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
      bootSlot: (slot) => this.#bootSlot(slot),
      // Keep-alive clients of the old workers come back through the balancer (not sticky: keys stay put).
      shed: (share) => {
        if (options.balancer === 'round-robin' || options.balancer === 'least-connections') this.#accept?.shed(share);
      },
    };
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
    return this.#crashError;
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
    const booted = slots.map((slot) => this.#bootSlot(slot));
    try {
      await Promise.all(booted);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Keeps respawning a slot (with backoff) until it is ready; fails when the herd cannot boot. */
  async #bootSlot(slot: Slot): Promise<void> {
    for (;;) {
      if (this.#stopping) throw this.#stopError();
      const record = this.#spawn(slot, false);
      try {
        await this.#procs.whenReady(record);
        return;
      } catch (error) {
        if (this.#stopping) throw this.#crashError ?? error;
        // A reload put its own worker in the slot meanwhile: nothing left to boot.
        if (slot.current !== undefined && slot.current !== record) return;
        if (!this.#everReady && this.#allSlotsFailed()) {
          throw new HerdError('ERR_HERD_BOOT_FAILED', `every worker failed while booting; last error:\n${this.#lastError ?? (error as Error).message}`, { cause: error });
        }
        slot.failures++;
        slot.restarts++;
        if (this.#policy.record()) {
          throw this.#crashLoop();
        }
        await new Promise((r) => setTimeout(r, this.#policy.delay(slot.failures)));
      }
    }
  }

  #allSlotsFailed(): boolean {
    return this.registry.activeSlots().every((s) => this.#bootFailed.has(s.index));
  }

  #stopError(): HerdError {
    return this.#crashError ?? new HerdError('ERR_HERD_STOPPING', 'herd is stopping');
  }

  #spawn(slot: Slot, probation: boolean): WorkerRecord {
    const record = this.#procs.fork(slot, this.#generation, probation);
    // A reload's replacement stays out of its slot until it is ready.
    if (probation) this.registry.live.set(record.id, record);
    else this.registry.add(record);
    return record;
  }

  #onReady(record: WorkerRecord): void {
    this.#everReady = true;
    this.#accept?.onReady();
    this.emit('worker-ready', this.#info(record));
  }

  /**
   * Counts an unexpected death in its slot. A worker that served is replaced
   * at once and resets its slot's backoff; one that died before it served
   * counts toward the crash loop. Returns the respawn delay, or undefined
   * when that death made a crash loop (the herd is stopping).
   */
  #countDeath(record: WorkerRecord): number | undefined {
    const slot = record.slot;
    slot.restarts++;
    if (this.#policy.served(record)) {
      slot.failures = 0;
      return 0;
    }
    slot.failures++;
    if (this.#policy.record()) {
      this.#crashLoop();
      return undefined;
    }
    return this.#policy.delay(slot.failures);
  }

  // The crash-loop error is logged once, where it is made.
  #logBootError = (error: Error): void => {
    if (error === this.#crashError || (error instanceof HerdError && error.code === 'ERR_HERD_STOPPING')) return;
    this.#logs.primary(error.message, 'stderr');
  };

  // Replace before retire: the faulty worker waits for our word to drain. It
  // stops accepting at once when others serve; when it is the only one, it
  // keeps accepting until its replacement is ready, or the port would close.
  #onFatal(record: WorkerRecord, msg: FatalMessage): void {
    if (this.#stopping || record.retireReason !== undefined) return;
    const code = msg.error.code ? ` [${msg.error.code}]` : '';
    this.#lastError = `worker ${record.code} (pid ${record.pid}) hit ${msg.kind}: ${msg.error.message}${code}`;
    this.#logs.primary(`herd: ${this.#lastError}; replacing it`, 'stderr');
    const slot = record.slot;
    if (slot.current !== record) {
      // A reload's replacement on probation or a worker already leaving its slot.
      this.#procs.retire(record, 'fatal');
      return;
    }
    record.retireReason = 'fatal';
    if (this.#countDeath(record) === undefined) return;
    const othersServing = [...this.registry.live.values()].some((r) => r !== record && r.state === 'ready');
    // The slot is free for the replacement; the faulty worker drains outside it.
    this.registry.remove(record);
    this.registry.live.set(record.id, record);
    if (othersServing) this.#procs.retire(record, 'fatal');
    this.#bootSlot(slot).then(
      () => this.#procs.retire(record, 'fatal'),
      (error: Error) => {
        this.#procs.retire(record, 'fatal');
        this.#logBootError(error);
      },
    );
  }

  /** @internal Sends a message to a worker if its IPC channel is open. */
  post(record: WorkerRecord, msg: HerdMessage): boolean {
    return this.#procs.post(record, msg);
  }

  /** @internal health: a hung worker is replaced at once and killed; not a restart. */
  replaceHung(record: WorkerRecord, silentFor: number): void {
    if (this.#stopping || record.retireReason !== undefined || record.slot.current !== record) return;
    void replaceHung(this.#pool, record, silentFor, this.#options.hangTimeout, this.#info(record)).then((info) => this.emit('worker-hung', info));
  }

  /** @internal health: replacement ready first, then drain, between reloads and scales; not a restart. */
  recycle(record: WorkerRecord, reason: RecycleReason, detail: string): Promise<boolean> {
    if (this.#stopping) return Promise.resolve(false);
    return this.#serial(async () => {
      const info = await recycle(this.#pool, record, reason, detail, this.#info(record));
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
      const info = await recycle(this.#pool, record, 'manual', detail, this.#info(record));
      if (!info) throw new HerdError('ERR_HERD_RELOAD_FAILED', `the replacement of worker ${code} did not become ready; pid ${record.pid} keeps serving (see the log)`);
      this.emit('worker-recycled', info);
      return info;
    });
  }

  #onExit(record: WorkerRecord, report: ExitReport): void {
    const expected = record.retireReason !== undefined || this.#stopping !== undefined;
    this.registry.remove(record);
    this.#accept?.onExit(record);
    if (report.wasStarting) {
      this.#bootFailed.add(record.slot.index);
      this.#lastError = report.reason;
    }
    const { exitCode, signal } = report;
    this.emit('worker-exit', { ...this.#info(record), exitCode, signal, expected });
    if (this.#stopping) return this.#checkStopped();
    // Boot failures are retried by whoever waits for the worker (start, reload, scale).
    if (expected || report.probation || report.wasStarting) return;
    if (record.slot.current !== undefined || !this.registry.slots.includes(record.slot)) return;

    const slot = record.slot;
    this.#lastError = `worker ${record.code} (pid ${record.pid}) exited unexpectedly with ${report.how}`;
    const delay = this.#countDeath(record);
    if (delay === undefined) return;
    this.#logs.primary(`herd: ${this.#lastError}; replacing it${delay > 0 ? ` in ${delay} ms (it died before it served)` : ''}`, 'stderr');
    const respawn = (): void => {
      slot.respawnTimer = undefined;
      if (this.#stopping || slot.current || !this.registry.slots.includes(slot)) return;
      // Meanwhile the others took the dead worker's keep-alive clients: spread them again.
      this.#bootSlot(slot).then(() => this.#pool.shed(1 / this.registry.slots.length), this.#logBootError);
    };
    if (delay === 0) respawn();
    else slot.respawnTimer = setTimeout(respawn, delay);
  }

  #info(record: WorkerRecord): WorkerInfo {
    return {
      code: record.code,
      id: record.id,
      pid: record.pid,
      state: record.state,
      restarts: record.slot.restarts,
      generation: record.generation,
      startedAt: record.startedAt,
    };
  }

  #crashLoop(): HerdError {
    if (this.#crashError) return this.#crashError;
    const { maxRestarts, window } = this.#options.restart;
    this.#crashError = new HerdError(
      'ERR_HERD_CRASH_LOOP',
      `crash loop: more than ${maxRestarts} restarts within ${window} ms; stopping. Last error:\n${this.#lastError ?? 'unknown'}`,
    );
    this.#logs.primary(this.#crashError.message, 'stderr');
    this.emit('crash-loop', this.#crashError);
    void this.stop();
    return this.#crashError;
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
