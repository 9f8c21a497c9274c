import type { ResolvedOptions } from '../../config/options.js';
import { isHerdMessage } from '../../shared/protocol.js';
import { heartbeatInterval, ProcessSampler, type ProcessStats, type WorkerStats } from '../../shared/stats.js';
import type { WorkerRecord } from '../registry.js';
import type { Supervisor } from '../supervisor.js';
import { formatBytes } from './units.js';

// The health policy, in the primary: keeps each worker's latest stats, judges
// a ready worker whose heartbeats stopped as hung, and asks for a recycle when
// a worker stays above maxMemory or reaches its request limit. What to do
// about it (replace, recycle) is the supervisor's mechanism.

interface Entry {
  stats: WorkerStats | undefined;
  lastBeat: number;
  requestLimit: number;
  overMemory: number;
  memoryCheckedAt: number;
  /** Judged (hung, or due for a recycle): not judged again unless the recycle failed. */
  flagged: boolean;
}

/** Per worker code, what the metrics and the status table show. */
export interface SlotView {
  code: string;
  stats: WorkerStats | undefined;
  /** Requests served in this slot since the herd started, across replacements. */
  requestsTotal: number;
  restarts: number;
}

// Memory is judged on stats samples at least this far apart (workers sample once a second).
const MEMORY_SAMPLE_MS = 900;
// After a recycle that could not start its replacement, wait before trying again.
const RETRY_MS = 10_000;

export class HealthMonitor {
  readonly #supervisor: Supervisor;
  readonly #entries = new Map<number, Entry>();
  readonly #requestsBefore = new Map<string, number>();
  readonly #primary = new ProcessSampler();
  readonly #interval: number;
  #timer: NodeJS.Timeout | undefined;
  #nextTick = 0;

  constructor(supervisor: Supervisor, options: ResolvedOptions) {
    this.#supervisor = supervisor;
    // Judged twice per heartbeat period: a hang is seen at most half a period late.
    this.#interval = Math.max(25, Math.floor(heartbeatInterval(options.hangTimeout) / 2));
    supervisor.on('worker-message', (record, msg) => {
      if (isHerdMessage(msg) && msg.verb === 'heartbeat') this.#beat(record, msg.stats, msg.requestLimit);
    });
    supervisor.on('worker-ready', (info) => {
      // Its hang clock starts when it is ready; startup has readyTimeout.
      this.#entry(info.id).lastBeat = Date.now();
    });
    supervisor.on('worker-exit', (info) => {
      const entry = this.#entries.get(info.id);
      this.#entries.delete(info.id);
      if (entry?.stats) this.#requestsBefore.set(info.code, (this.#requestsBefore.get(info.code) ?? 0) + entry.stats.requests);
    });
    supervisor.once('stopped', () => this.stop());
    if (options.hangTimeout > 0) {
      this.#nextTick = Date.now() + this.#interval;
      this.#timer = setInterval(() => this.#tick(), this.#interval);
      this.#timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#primary.stop();
  }

  #entry(id: number): Entry {
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = { stats: undefined, lastBeat: Date.now(), requestLimit: 0, overMemory: 0, memoryCheckedAt: 0, flagged: false };
      this.#entries.set(id, entry);
    }
    return entry;
  }

  stats(id: number): WorkerStats | undefined {
    return this.#entries.get(id)?.stats;
  }

  /** The primary's own stats, over the time since the last call. */
  primaryStats(): ProcessStats {
    return this.#primary.sample();
  }

  slots(): SlotView[] {
    const views = new Map<string, SlotView>();
    for (const slot of this.#supervisor.registry.activeSlots()) {
      views.set(slot.code, { code: slot.code, stats: undefined, requestsTotal: this.#requestsBefore.get(slot.code) ?? 0, restarts: slot.restarts });
    }
    for (const record of this.#supervisor.registry.live.values()) {
      const view = views.get(record.code);
      const stats = this.#entries.get(record.id)?.stats;
      if (!view || !stats) continue;
      view.requestsTotal += stats.requests;
      if (record.slot.current === record) view.stats = stats;
    }
    return [...views.values()];
  }

  #beat(record: WorkerRecord, stats: WorkerStats, requestLimit: number): void {
    const entry = this.#entry(record.id);
    const now = Date.now();
    entry.lastBeat = now;
    entry.stats = stats;
    entry.requestLimit = requestLimit;
    this.#supervisor.emit('worker-stats', { code: record.code, id: record.id, pid: record.pid, stats });
    if (entry.flagged || record.state !== 'ready' || record.slot.current !== record) return;

    // The supervisor's options: a reload may have changed them.
    const { maxMemory } = this.#supervisor.options;
    if (maxMemory > 0 && now - entry.memoryCheckedAt >= MEMORY_SAMPLE_MS) {
      entry.memoryCheckedAt = now;
      entry.overMemory = stats.memory.rss > maxMemory ? entry.overMemory + 1 : 0;
      if (entry.overMemory >= 2) {
        const detail = `RSS ${formatBytes(stats.memory.rss)} above maxMemory ${formatBytes(maxMemory)} over two samples`;
        return this.#recycle(record, entry, 'memory', detail);
      }
    }
    if (requestLimit > 0 && stats.requests >= requestLimit) {
      this.#recycle(record, entry, 'requests', `${stats.requests} requests served, its limit is ${requestLimit}`);
    }
  }

  #recycle(record: WorkerRecord, entry: Entry, reason: 'memory' | 'requests', detail: string): void {
    entry.flagged = true;
    void this.#supervisor.recycle(record, reason, detail).then((done) => {
      if (done) return;
      setTimeout(() => { entry.flagged = false; entry.overMemory = 0; }, RETRY_MS).unref();
    });
  }

  #tick(): void {
    const now = Date.now();
    const late = now - this.#nextTick;
    this.#nextTick = now + this.#interval;
    // The primary itself was stalled: the silence it measured is not the workers' fault.
    if (late > this.#interval) for (const entry of this.#entries.values()) entry.lastBeat += late;
    // Heartbeats already waiting in the IPC pipes are read before the judgement.
    setImmediate(() => this.#judge());
  }

  #judge(): void {
    if (this.#supervisor.stopping) return;
    const now = Date.now();
    const { hangTimeout } = this.#supervisor.options;
    // Turned off by a reload (turning it on where it was off at start needs a restart).
    if (hangTimeout === 0) return;
    for (const record of [...this.#supervisor.registry.live.values()]) {
      if (record.state !== 'ready' || record.slot.current !== record) continue;
      const entry = this.#entries.get(record.id);
      if (!entry || entry.flagged) continue;
      const silentFor = now - entry.lastBeat;
      if (silentFor <= hangTimeout) continue;
      entry.flagged = true;
      this.#supervisor.replaceHung(record, silentFor);
    }
  }
}
