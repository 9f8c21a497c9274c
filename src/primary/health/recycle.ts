import type { WorkerInfo, WorkerRecord } from '../registry.js';
import { replace, type Pool } from '../rolling.js';

// Recycling (maxMemory, maxRequests, or an operator's replace from the dashboard): like one slot of a rolling reload, the
// replacement is ready before the old worker drains, so no request is
// dropped. Not a restart: no backoff, no crash-loop count.

export type RecycleReason = 'memory' | 'requests' | 'manual';

export interface RecycledInfo extends WorkerInfo {
  reason: RecycleReason;
  /** In words: what crossed which limit. */
  detail: string;
  /** The worker that took its place. */
  replacement: { id: number; pid: number };
}

/** Resolves with what was done, or undefined when the worker was no longer in service or the replacement failed. */
export async function recycle(pool: Pool, record: WorkerRecord, reason: RecycleReason, detail: string, info: WorkerInfo): Promise<RecycledInfo | undefined> {
  const { registry, procs, logs } = pool;
  const slot = record.slot;
  if (pool.stopping || record.state !== 'ready' || slot.current !== record || !registry.slots.includes(slot)) return undefined;
  logs.primary(`herd: recycling worker ${record.code} (pid ${record.pid}): ${detail}; its replacement starts first`);
  let fresh: WorkerRecord;
  try {
    fresh = await replace(pool, slot);
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error) : (error as Error);
    logs.primary(`herd: recycling worker ${record.code} (pid ${record.pid}) failed: ${cause.message.split('\n')[0]}; it keeps serving`, 'stderr');
    return undefined;
  }
  // A respawn may have filled the slot while the replacement booted.
  const old = slot.current;
  registry.add(fresh);
  if (old && old.state !== 'exited') procs.retire(old, 'recycle');
  logs.primary(`herd: worker ${record.code} recycled (${reason}): pid ${record.pid} drains, pid ${fresh.pid} serves`);
  return { ...info, state: record.state, reason, detail, replacement: { id: fresh.id, pid: fresh.pid } };
}
