import type { Worker } from 'node:cluster';
import { slotCode } from '../shared/codes.js';

// The worker table. A slot is a stable position with a code (A, B, …); the
// worker in it is replaced on crash or reload and the replacement keeps the code.

export type WorkerState = 'starting' | 'ready' | 'draining' | 'exited';

const TRANSITIONS: Record<WorkerState, readonly WorkerState[]> = {
  starting: ['ready', 'draining', 'exited'],
  ready: ['draining', 'exited'],
  draining: ['exited'],
  exited: [],
};

export interface WorkerRecord {
  readonly slot: Slot;
  readonly code: string;
  readonly id: number;
  readonly pid: number;
  readonly generation: number;
  readonly startedAt: number;
  /** The cluster worker; undefined in single mode. */
  readonly handle: Worker | undefined;
  state: WorkerState;
  readyAt: number | undefined;
  /** Why it was asked to drain; undefined if it was not. */
  retireReason: string | undefined;
  /** It has answered a request: it serves, so its death is a crash, not a crash loop. */
  served: boolean;
}

export interface Slot {
  readonly index: number;
  readonly code: string;
  /** The worker currently serving (or starting to) in this slot. */
  current: WorkerRecord | undefined;
  /** How many times this slot's worker was replaced after an unexpected exit. */
  restarts: number;
  /** Unexpected exits since the slot's worker last ran stably; drives the backoff. */
  failures: number;
  /** A pending respawn timer. */
  respawnTimer: NodeJS.Timeout | undefined;
}

/** Public view of one worker, as `app.workers()` and `herd status` show it. */
export interface WorkerInfo {
  code: string;
  id: number;
  pid: number;
  state: WorkerState;
  restarts: number;
  generation: number;
  startedAt: number;
}

/** A worker as the API and `herd status` show it. */
export function workerInfo(record: WorkerRecord): WorkerInfo {
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

export function transition(record: WorkerRecord, to: WorkerState): void {
  if (record.state === to) return;
  if (!TRANSITIONS[record.state].includes(to)) {
    throw new Error(`herd internal: worker ${record.code} (pid ${record.pid}) cannot go from ${record.state} to ${to}`);
  }
  record.state = to;
}

export class Registry {
  readonly slots: Slot[] = [];
  /** Every worker process that has not exited yet, by cluster id. */
  readonly live = new Map<number, WorkerRecord>();

  slot(index: number): Slot {
    let slot = this.slots[index];
    if (!slot) {
      slot = { index, code: slotCode(index), current: undefined, restarts: 0, failures: 0, respawnTimer: undefined };
      this.slots[index] = slot;
    }
    return slot;
  }

  add(record: WorkerRecord): void {
    this.live.set(record.id, record);
    record.slot.current = record;
  }

  remove(record: WorkerRecord): void {
    this.live.delete(record.id);
    if (record.slot.current === record) record.slot.current = undefined;
  }

  /** Slots in use, lowest code first. */
  activeSlots(): Slot[] {
    return this.slots.filter((s) => s !== undefined);
  }

  find(target: string | number): WorkerRecord | undefined {
    for (const r of this.live.values()) {
      if (r.state === 'exited') continue;
      if (typeof target === 'string' ? r.code === target && r.slot.current === r : r.id === target || r.pid === target) return r;
    }
    return undefined;
  }

  info(): WorkerInfo[] {
    const list = [...this.live.values()]
      .filter((r) => r.state !== 'exited')
      .sort((a, b) => a.slot.index - b.slot.index || a.generation - b.generation);
    return list.map(workerInfo);
  }
}
