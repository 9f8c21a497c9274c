import { HerdError } from '../../errors.js';
import type { WorkerInfo, WorkerRecord } from '../registry.js';
import type { Pool } from '../rolling.js';
import { captureStack } from './stack.js';

// What herd does with a worker it judged hung: take it out of its slot, start
// its replacement, read its stack through the inspector (bounded in time),
// log the stack as the worker's own lines, and SIGKILL it. Alone, it is
// killed only once its replacement is ready: node:cluster closes the port
// with its last worker. Not a restart: no backoff, no crash-loop count.

/** How long reading the stack may take before herd kills the worker regardless. */
export const CAPTURE_TIMEOUT_MS = 5000;

export interface HungInfo extends WorkerInfo {
  /** ms since its last heartbeat when it was judged hung. */
  silentFor: number;
  /** `at fn (file:line:col)` lines, innermost first; empty when it could not be read. */
  stack: string[];
  /** Why the stack could not be read, when it could not. */
  stackError?: string;
}

export async function replaceHung(pool: Pool, record: WorkerRecord, silentFor: number, hangTimeout: number, info: WorkerInfo): Promise<HungInfo> {
  const { registry, procs, logs } = pool;
  const slot = record.slot;
  const othersServing = [...registry.live.values()].some((r) => r !== record && r.state === 'ready' && r.slot.current === r);
  procs.condemn(record, 'hung');
  // The slot is free for the replacement; the hung worker waits outside it for its end.
  registry.remove(record);
  registry.live.set(record.id, record);
  logs.primary(`herd: worker ${record.code} (pid ${record.pid}) is hung: its event loop has not turned for ${silentFor} ms (hangTimeout ${hangTimeout} ms); reading its stack and replacing it`, 'stderr');

  const replaced = pool.bootSlot(slot).then(
    () => true,
    (error: Error) => {
      if (!(error instanceof HerdError && error.code === 'ERR_HERD_STOPPING')) logs.primary(error.message, 'stderr');
      return false;
    },
  );

  let stack: string[] = [];
  let stackError: string | undefined;
  try {
    stack = await captureStack(record.pid, (timeout) => procs.inspectorUrl(record, timeout), CAPTURE_TIMEOUT_MS);
  } catch (error) {
    stackError = (error as Error).message;
  }
  const tag = (text: string): void => logs.write({ source: record.code, pid: record.pid, stream: 'stderr', text, time: Date.now() });
  if (stack.length > 0) {
    tag(`hung for ${silentFor} ms; its stack, read by herd through the inspector:`);
    for (const line of stack) tag(line);
  } else {
    logs.primary(`herd: could not read the stack of hung worker ${record.code} (pid ${record.pid}): ${stackError ?? 'no frames'}`, 'stderr');
  }

  if (!othersServing) await replaced;
  procs.kill(record);
  return { ...info, state: record.state, silentFor, stack, ...(stackError ? { stackError } : {}) };
}
