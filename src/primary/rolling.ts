import { HerdError } from '../errors.js';
import type { LogWriter } from './logs/writer.js';
import type { Registry, Slot, WorkerRecord } from './registry.js';
import type { WorkerProcesses } from './worker-process.js';

// The two operations that change a running herd slot by slot: a rolling
// reload (replace each worker, new before old goes) and scaling. The
// supervisor runs them one at a time.

/** What they need of the supervisor. */
export interface Pool {
  readonly registry: Registry;
  readonly procs: WorkerProcesses;
  readonly logs: LogWriter;
  readonly stopping: boolean;
  /** Forks a slot's next worker; on probation it stays out of its slot until it is ready. */
  spawn(slot: Slot, probation: boolean): WorkerRecord;
  /** Boots a slot until its worker is ready, respawning with backoff. */
  bootSlot(slot: Slot): Promise<void>;
  /** Workers were added: send this share of the old workers' keep-alive clients back through the balancer. */
  shed(share: number): void;
}

const stopped = (what: string, cause?: unknown): HerdError =>
  new HerdError('ERR_HERD_STOPPING', `herd stopped during the ${what}`, cause === undefined ? undefined : { cause });

/** `A=pid B=pid`, for the log. */
export function codes(registry: Registry): string {
  return registry.activeSlots().map((s) => `${s.code}=${s.current?.pid ?? '-'}`).join(' ');
}

/**
 * Replaces every slot's worker, lowest code first: the replacement must be
 * ready before the old worker drains. Resolves when every old worker has
 * exited; rejects (the slot rolled back) when a replacement fails. With
 * `count` (a reloaded config changed `workers`), only the slots that stay are
 * replaced, then the herd scales to `count` once the reload succeeded.
 */
export async function rollingReload(pool: Pool, generation: number, count?: number): Promise<void> {
  const { registry, procs, logs } = pool;
  const retiring: WorkerRecord[] = [];
  logs.primary(`herd: reload to generation ${generation} started`);
  try {
    for (const slot of registry.activeSlots().slice(0, count)) {
      if (pool.stopping) throw stopped('reload');
      if (!registry.slots.includes(slot)) continue;
      const fresh = await replace(pool, slot);
      // A respawn may have filled the slot while the replacement booted.
      const old = slot.current;
      registry.add(fresh);
      if (old && old.state !== 'exited') {
        procs.retire(old, 'reload');
        retiring.push(old);
      }
    }
    await Promise.all(retiring.map((r) => procs.waitExit(r)));
    if (count !== undefined && count !== registry.slots.length) await scaleTo(pool, count);
    logs.primary(`herd: reload to generation ${generation} done (${codes(registry)})`);
  } catch (error) {
    await Promise.all(retiring.map((r) => procs.waitExit(r)));
    logs.primary(`herd: reload to generation ${generation} failed: ${(error as Error).message}`, 'stderr');
    throw error;
  }
}

/** Forks a slot's next worker on probation; resolves once it is ready, or removes it and rejects. */
export async function replace(pool: Pool, slot: Slot): Promise<WorkerRecord> {
  clearTimeout(slot.respawnTimer);
  slot.respawnTimer = undefined;
  const fresh = pool.spawn(slot, true);
  try {
    await pool.procs.whenReady(fresh);
  } catch (error) {
    pool.procs.kill(fresh);
    await pool.procs.waitExit(fresh);
    if (pool.stopping) throw stopped('reload', error);
    const tail = pool.procs.tail(fresh);
    throw new HerdError(
      'ERR_HERD_RELOAD_FAILED',
      `reload failed at worker ${slot.code}: ${(error as Error).message.split('\n')[0]}; rolled back, the old workers keep serving${tail ? `\n${tail}` : ''}`,
      { cause: error },
    );
  }
  pool.procs.admit(fresh);
  return fresh;
}

/** New slots take the next free codes; removing retires the highest codes, draining like a reload. */
export async function scaleTo(pool: Pool, count: number): Promise<void> {
  if (pool.stopping) throw stopped('scale');
  const { registry, procs } = pool;
  const slots = registry.slots;
  if (count > slots.length) {
    const from = slots.length;
    const added = Array.from({ length: count - from }, (_, i) => registry.slot(from + i));
    await Promise.all(added.map((slot) => pool.bootSlot(slot)));
    pool.shed((count - from) / count);
  } else if (count < slots.length) {
    const removed = slots.splice(count).reverse();
    const leaving: WorkerRecord[] = [];
    for (const slot of removed) {
      clearTimeout(slot.respawnTimer);
      if (slot.current) {
        leaving.push(slot.current);
        procs.retire(slot.current, 'scale');
      }
    }
    await Promise.all(leaving.map((r) => procs.waitExit(r)));
  }
  pool.logs.primary(`herd: scaled to ${count} worker${count === 1 ? '' : 's'} (${codes(registry)})`);
}
