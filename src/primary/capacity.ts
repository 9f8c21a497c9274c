import { readFileSync } from 'node:fs';
import os from 'node:os';

// `scale` and `workers` accept up to 1,024 workers whatever the machine: 200
// on 2 cores was 9 GB and a load of 9. The ceiling stays (a user may know
// better), but a count far past the CPUs, or past what free memory can hold,
// gets a warning.

/** Workers per CPU beyond which a count is oversized. */
export const WORKERS_PER_CPU = 4;
/** A Node worker's resident size when none runs yet to measure (an HTTP server at rest). */
export const ASSUMED_WORKER_RSS = 40 * 1024 * 1024;

export interface Machine {
  cpus: number;
  /** Bytes the system can still give (MemAvailable on Linux). */
  freeMemory: number;
}

export function machine(): Machine {
  return { cpus: os.availableParallelism(), freeMemory: os.freemem() };
}

/** The mean resident size of these processes (Linux /proc), or undefined when it cannot be read. */
export function meanRss(pids: number[]): number | undefined {
  const sizes: number[] = [];
  for (const pid of pids) {
    try {
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb) sizes.push(Number(kb) * 1024);
    } catch { /* gone, or not Linux */ }
  }
  return sizes.length > 0 ? sizes.reduce((a, b) => a + b, 0) / sizes.length : undefined;
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/**
 * A warning when going from `current` to `count` workers overloads the
 * machine, else undefined. `workerRss`: the measured size of one worker.
 */
export function oversizeWarning(count: number, current: number, m: Machine, workerRss = ASSUMED_WORKER_RSS): string | undefined {
  const reasons: string[] = [];
  if (count > m.cpus * WORKERS_PER_CPU) {
    reasons.push(`that is more than ${WORKERS_PER_CPU} per CPU (${m.cpus} CPU${m.cpus === 1 ? '' : 's'})`);
  }
  const more = count - current;
  if (more > 0 && more * workerRss > m.freeMemory) {
    reasons.push(`${more} more at about ${Math.round(workerRss / 2 ** 20)} MiB each need ${gib(more * workerRss)}, and ${gib(m.freeMemory)} is free`);
  }
  if (reasons.length === 0) return undefined;
  return `herd: warning: ${count} workers: ${reasons.join('; ')}. They will compete for the machine; fewer may serve more.`;
}
