import { availableCpus } from './cpus.js';

/**
 * `auto` and 0 mean one worker per CPU (the PM2 / ThinkJS convention; a cgroup CPU quota caps it),
 * -k means CPUs minus k (at least one), n means n.
 */
export function resolveWorkerCount(value: number | 'auto', cpus = availableCpus()): number {
  if (value === 'auto' || value === 0) return cpus;
  if (value < 0) return Math.max(1, cpus + value);
  return value;
}
