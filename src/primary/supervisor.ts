import { EventEmitter } from 'node:events';
import type { ResolvedOptions } from '../config/options.js';
import { HerdError } from '../errors.js';
import { MAX_WORKERS } from '../shared/control.js';
import { isHerdMessage, message, type HerdMessage, type ShutdownReason } from '../shared/protocol.js';
import { RestartPolicy } from './backoff.js';
import type { LogWriter } from './logs/writer.js';
import { Registry, transition, type Slot, type WorkerInfo, type WorkerRecord } from './registry.js';
import { forkWorker } from './spawn.js';

// The engine in the primary: forks a worker per slot, respawns with backoff,
// stops the herd on a crash loop, reloads slot by slot and scales.

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
  stopped: [];
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

interface Runtime {
  waiter: Waiter | undefined;
  readyTimer: NodeJS.Timeout | undefined;
  killTimer: NodeJS.Timeout | undefined;
  stableTimer: NodeJS.Timeout | undefined;
  /** Last stderr lines, to explain a boot failure. */
  stderrTail: string[];
  /** A reload's replacement: its failure rolls the slot back instead of respawning. */
  probation: boolean;
}

const TAIL_LINES = 20;

export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly registry = new Registry();
  readonly #options: ResolvedOptions;
  readonly #logs: LogWriter;
  readonly #policy: RestartPolicy;
  readonly #rt = new WeakMap<WorkerRecord, Runtime>();
  #generation = 1;
  #everReady = false;
  #stopping: Promise<void> | undefined;
  #ops: Promise<unknown> = Promise.resolve();
  #reloadQueued: Promise<void> | undefined;
  #lastError: string | undefined;

  constructor(options: ResolvedOptions, logs: LogWriter) {
    super();
    this.#options = options;
    this.#logs = logs;
    this.#policy = new RestartPolicy(options.restart);
  }

  get generation(): number {
    return this.#generation;
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** Why the herd stopped itself (a crash loop); undefined after a requested stop. */
  get failure(): HerdError | undefined {
    return this.#crashError;
  }

  workers(): WorkerInfo[] {
    return this.registry.info();
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
        await this.#whenReady(record);
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

  #bootFailed = new Set<number>();
  #crashError: HerdError | undefined;

  #allSlotsFailed(): boolean {
    return this.registry.activeSlots().every((s) => this.#bootFailed.has(s.index));
  }

  #stopError(): HerdError {
    return this.#crashError ?? new HerdError('ERR_HERD_STOPPING', 'herd is stopping');
  }

  #spawn(slot: Slot, probation: boolean): WorkerRecord {
    const handle = forkWorker(this.#options, slot.code, this.#generation);
    const record: WorkerRecord = {
      slot,
      code: slot.code,
      id: handle.id,
      pid: handle.process.pid ?? -1,
      generation: this.#generation,
      startedAt: Date.now(),
      handle,
      state: 'starting',
      readyAt: undefined,
      retireReason: undefined,
    };
    const rt: Runtime = {
      waiter: undefined,
      readyTimer: undefined,
      killTimer: undefined,
      stableTimer: undefined,
      stderrTail: [],
      probation,
    };
    this.#rt.set(record, rt);
    if (!probation) this.registry.add(record);
    else this.registry.live.set(record.id, record);

    const child = handle.process;
    if (child.stdout) this.#logs.attach(record.code, record.pid, 'stdout', child.stdout);
    if (child.stderr) {
      this.#logs.attach(record.code, record.pid, 'stderr', child.stderr);
      child.stderr.on('data', (chunk: Buffer) => {
        rt.stderrTail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        if (rt.stderrTail.length > TAIL_LINES) rt.stderrTail.splice(0, rt.stderrTail.length - TAIL_LINES);
      });
    }

    rt.readyTimer = setTimeout(() => {
      if (record.state !== 'starting') return;
      this.#lastError = `worker ${record.code} (pid ${record.pid}) was not ready within readyTimeout (${this.#options.readyTimeout} ms)`;
      this.#logs.primary(this.#lastError, 'stderr');
      rt.waiter?.reject(new HerdError('ERR_HERD_READY_TIMEOUT', this.#lastError));
      rt.waiter = undefined;
      child.kill('SIGKILL');
    }, this.#options.readyTimeout);

    handle.on('message', (msg: unknown) => {
      if (isHerdMessage(msg)) this.#onMessage(record, msg);
      this.emit('worker-message', record, msg);
    });
    // A worker that goes away while we write to it: its exit event tells the rest.
    handle.on('error', () => {});
    handle.on('exit', (code: number | null, signal: string | null) => this.#onExit(record, code, signal));
    return record;
  }

  #whenReady(record: WorkerRecord): Promise<void> {
    if (record.state === 'ready') return Promise.resolve();
    const rt = this.#rt.get(record)!;
    return new Promise<void>((resolve, reject) => {
      rt.waiter = { resolve, reject };
    });
  }

  #onMessage(record: WorkerRecord, msg: HerdMessage): void {
    switch (msg.verb) {
      case 'ready':
        return this.#onReady(record);
      case 'fatal':
        return this.#onFatal(record);
      case 'reload':
        // Its outcome is in the log (#reloadOnce); the worker asked and does not wait.
        this.reload().catch(() => {});
        return;
      default:
        return;
    }
  }

  #onReady(record: WorkerRecord): void {
    if (record.state !== 'starting') return;
    const rt = this.#rt.get(record)!;
    clearTimeout(rt.readyTimer);
    transition(record, 'ready');
    record.readyAt = Date.now();
    this.#everReady = true;
    rt.stableTimer = setTimeout(() => {
      if (record.state === 'ready') record.slot.failures = 0;
    }, this.#policy.stableAfter);
    rt.stableTimer.unref();
    rt.waiter?.resolve();
    rt.waiter = undefined;
    this.emit('worker-ready', this.#info(record));
  }

  // Replace before retire: the faulty worker waits for our word to drain. It
  // stops accepting at once when others serve; when it is the only one, it
  // keeps accepting until its replacement is ready, or the port would close.
  #onFatal(record: WorkerRecord): void {
    if (this.#stopping || record.retireReason !== undefined) return;
    const slot = record.slot;
    if (slot.current !== record) {
      // A reload's replacement on probation or a worker already leaving its slot.
      this.#retire(record, 'fatal');
      return;
    }
    slot.restarts++;
    slot.failures++;
    record.retireReason = 'fatal';
    if (this.#policy.record()) {
      this.#crashLoop();
      return;
    }
    const othersServing = [...this.registry.live.values()].some((r) => r !== record && r.state === 'ready');
    // The slot is free for the replacement; the faulty worker drains outside it.
    this.registry.remove(record);
    this.registry.live.set(record.id, record);
    if (othersServing) this.#retire(record, 'fatal');
    this.#bootSlot(slot).then(
      () => this.#retire(record, 'fatal'),
      (error: Error) => {
        this.#retire(record, 'fatal');
        if (!(error instanceof HerdError && error.code === 'ERR_HERD_STOPPING')) this.#logs.primary(error.message, 'stderr');
      },
    );
  }

  #onExit(record: WorkerRecord, exitCode: number | null, signal: string | null): void {
    const rt = this.#rt.get(record)!;
    clearTimeout(rt.readyTimer);
    clearTimeout(rt.killTimer);
    clearTimeout(rt.stableTimer);
    const wasStarting = record.state === 'starting';
    // Whoever waits for it to be ready (start, reload, scale, a respawn) learns it never will be.
    const waiter = rt.waiter;
    rt.waiter = undefined;
    const expected = record.retireReason !== undefined || this.#stopping !== undefined;
    transition(record, 'exited');
    this.registry.remove(record);
    this.registry.live.delete(record.id);

    if (wasStarting) {
      this.#bootFailed.add(record.slot.index);
      const how = signal ? `signal ${signal}` : `code ${exitCode}`;
      const tail = rt.stderrTail.join('\n');
      this.#lastError = `worker ${record.code} (pid ${record.pid}) exited with ${how} before it was ready${tail ? `:\n${tail}` : ''}`;
    }
    waiter?.reject(new HerdError('ERR_HERD_BOOT_FAILED', wasStarting ? this.#lastError! : `worker ${record.code} (pid ${record.pid}) was retired before it was ready`));
    this.emit('worker-exit', { ...this.#info(record), exitCode, signal, expected });
    if (this.#stopping) return this.#checkStopped();
    // Boot failures are retried by whoever waits for the worker (start, reload, scale).
    if (expected || rt.probation || wasStarting) return;
    if (record.slot.current !== undefined || !this.registry.slots.includes(record.slot)) return;

    const slot = record.slot;
    slot.restarts++;
    slot.failures++;
    const how = signal ? `signal ${signal}` : `code ${exitCode}`;
    this.#lastError = `worker ${record.code} (pid ${record.pid}) exited unexpectedly with ${how}`;
    this.#logs.primary(this.#lastError, 'stderr');
    if (this.#policy.record()) {
      this.#crashLoop();
      return;
    }
    const delay = this.#policy.delay(slot.failures);
    slot.respawnTimer = setTimeout(() => {
      slot.respawnTimer = undefined;
      if (this.#stopping || slot.current || !this.registry.slots.includes(slot)) return;
      this.#bootSlot(slot).catch((error: Error) => {
        if (!(error instanceof HerdError && error.code === 'ERR_HERD_STOPPING')) this.#logs.primary(error.message, 'stderr');
      });
    }, delay);
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

  /** Asks a worker to drain and exit; SIGKILL after shutdownTimeout. */
  #retire(record: WorkerRecord, reason: ShutdownReason): void {
    // Once asked, a worker keeps its first deadline: asking again must not extend it.
    if (record.state === 'exited' || record.state === 'draining') return;
    const rt = this.#rt.get(record)!;
    record.retireReason ??= reason;
    transition(record, 'draining');
    this.#send(record, message('shutdown', { reason, timeout: this.#options.shutdownTimeout }));
    clearTimeout(rt.killTimer);
    rt.killTimer = setTimeout(() => record.handle?.process.kill('SIGKILL'), this.#options.shutdownTimeout);
  }

  #send(record: WorkerRecord, msg: HerdMessage): void {
    const child = record.handle?.process;
    if (!child?.connected) {
      // No IPC left to ask nicely; SIGTERM makes the preload drain all the same.
      child?.kill('SIGTERM');
      return;
    }
    child.send(msg, undefined, undefined, () => {});
  }

  #waitExit(record: WorkerRecord): Promise<void> {
    if (record.state === 'exited') return Promise.resolve();
    return new Promise((resolve) => record.handle!.once('exit', () => resolve()));
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
  reload(): Promise<void> {
    if (this.#stopping) return Promise.reject(new HerdError('ERR_HERD_STOPPING', 'herd is stopping; reload refused'));
    this.#reloadQueued ??= this.#serial(async () => {
      this.#reloadQueued = undefined;
      await this.#reloadOnce();
    });
    return this.#reloadQueued;
  }

  async #reloadOnce(): Promise<void> {
    if (this.#stopping) throw new HerdError('ERR_HERD_STOPPING', 'herd is stopping; reload refused');
    this.#generation++;
    const generation = this.#generation;
    const retiring: WorkerRecord[] = [];
    this.#logs.primary(`herd: reload to generation ${generation} started`);
    try {
      for (const slot of this.registry.activeSlots()) {
        if (this.#stopping) throw new HerdError('ERR_HERD_STOPPING', 'herd stopped during the reload');
        if (!this.registry.slots.includes(slot)) continue;
        const fresh = await this.#replace(slot);
        // A respawn may have filled the slot while the replacement booted.
        const old = slot.current;
        this.registry.add(fresh);
        if (old && old.state !== 'exited') {
          this.#retire(old, 'reload');
          retiring.push(old);
        }
      }
      await Promise.all(retiring.map((r) => this.#waitExit(r)));
      this.#logs.primary(`herd: reload to generation ${generation} done (${this.#codes()})`);
      this.emit('reload', { generation, ok: true });
    } catch (error) {
      await Promise.all(retiring.map((r) => this.#waitExit(r)));
      this.#logs.primary(`herd: reload to generation ${generation} failed: ${(error as Error).message}`, 'stderr');
      this.emit('reload', { generation, ok: false, error: error as Error });
      throw error;
    }
  }

  /** Forks a slot's next worker on probation; resolves once it is ready, or removes it and rejects. */
  async #replace(slot: Slot): Promise<WorkerRecord> {
    clearTimeout(slot.respawnTimer);
    slot.respawnTimer = undefined;
    const fresh = this.#spawn(slot, true);
    const rt = this.#rt.get(fresh)!;
    try {
      await this.#whenReady(fresh);
    } catch (error) {
      fresh.handle?.process.kill('SIGKILL');
      await this.#waitExit(fresh);
      if (this.#stopping) throw new HerdError('ERR_HERD_STOPPING', 'herd stopped during the reload', { cause: error });
      const tail = rt.stderrTail.join('\n');
      throw new HerdError(
        'ERR_HERD_RELOAD_FAILED',
        `reload failed at worker ${slot.code}: ${(error as Error).message.split('\n')[0]}; rolled back, the old workers keep serving${tail ? `\n${tail}` : ''}`,
        { cause: error },
      );
    }
    rt.probation = false;
    return fresh;
  }

  #codes(): string {
    return this.registry.activeSlots().map((s) => `${s.code}=${s.current?.pid ?? '-'}`).join(' ');
  }

  /** Changes the number of workers; new slots take the next free codes, removal retires the highest. */
  scale(count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) {
      return Promise.reject(new HerdError('ERR_HERD_INVALID_OPTION', `\`count\` must be an integer from 1 to ${MAX_WORKERS}, received ${String(count)}`));
    }
    if (this.#stopping) return Promise.reject(new HerdError('ERR_HERD_STOPPING', 'herd is stopping; scale refused'));
    return this.#serial(() => this.#scaleTo(count));
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

  async #scaleTo(count: number): Promise<void> {
    if (this.#stopping) throw new HerdError('ERR_HERD_STOPPING', 'herd is stopping; scale refused');
    const slots = this.registry.slots;
    if (count > slots.length) {
      const from = slots.length;
      const added = Array.from({ length: count - from }, (_, i) => this.registry.slot(from + i));
      await Promise.all(added.map((slot) => this.#bootSlot(slot)));
    } else if (count < slots.length) {
      // Highest codes first; they drain like a reload's old workers.
      const removed = slots.splice(count).reverse();
      const leaving: WorkerRecord[] = [];
      for (const slot of removed) {
        clearTimeout(slot.respawnTimer);
        if (slot.current) {
          leaving.push(slot.current);
          this.#retire(slot.current, 'scale');
        }
      }
      await Promise.all(leaving.map((r) => this.#waitExit(r)));
    }
    this.#logs.primary(`herd: scaled to ${count} worker${count === 1 ? '' : 's'} (${this.#codes()})`);
  }

  /** Graceful stop: every worker drains (SIGKILL after shutdownTimeout). */
  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    // Assigned before anything runs: a 'stopped' listener may call stop() again.
    this.#stopping = new Promise<void>((resolve) => { this.#resolveStopped = resolve; });
    for (const slot of this.registry.slots) clearTimeout(slot.respawnTimer);
    for (const record of this.registry.live.values()) this.#retire(record, 'stop');
    this.#checkStopped();
    return this.#stopping;
  }

  /** The second Ctrl-C: kill everything now. */
  kill(): void {
    void this.stop();
    for (const record of this.registry.live.values()) record.handle?.process.kill('SIGKILL');
  }

  #resolveStopped: (() => void) | undefined;

  #checkStopped(): void {
    if (this.registry.live.size > 0 || !this.#resolveStopped) return;
    const resolve = this.#resolveStopped;
    this.#resolveStopped = undefined;
    this.emit('stopped');
    resolve();
  }
}
