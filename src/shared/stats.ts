import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

// What a process tells about itself: memory, CPU and event-loop delay. Workers
// send it on their heartbeat; the primary samples its own the same way.

export interface ProcessStats {
  /** Bytes. */
  memory: { rss: number; heapUsed: number };
  /** Percent of one core over the last sample window. */
  cpu: number;
  /** Milliseconds, over the last sample window. */
  eventLoopDelay: { p50: number; p99: number; max: number };
}

export interface WorkerStats extends ProcessStats {
  /** Connections open now. */
  connections: number;
  /** Requests received since the worker started. */
  requests: number;
}

// 100 ms: ten samples a second are enough for a status table, and the sampling
// timer costs an idle worker little (at 20 ms it cost about 0.7 % of a core here).
const RESOLUTION_MS = 100;
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Samples this process; each sample covers the time since the previous one. */
export class ProcessSampler {
  readonly #histogram: IntervalHistogram;
  #cpu = process.cpuUsage();
  #at = process.hrtime.bigint();

  constructor() {
    this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.#histogram.enable();
  }

  sample(): ProcessStats {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(this.#cpu);
    const elapsedUs = Number(now - this.#at) / 1000;
    this.#cpu = process.cpuUsage();
    this.#at = now;
    const h = this.#histogram;
    // Node 20's histogram records each whole timer interval (an idle loop reads
    // 100.1 ms at a 100 ms resolution): the delay is what exceeds the resolution.
    const ms = (ns: number): number => (Number.isFinite(ns) && h.count > 0 ? round(Math.max(0, ns / 1e6 - RESOLUTION_MS)) : 0);
    const eventLoopDelay = { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    h.reset();
    const { rss, heapUsed } = process.memoryUsage();
    return {
      memory: { rss, heapUsed },
      cpu: elapsedUs > 0 ? round(((cpu.user + cpu.system) / elapsedUs) * 100, 1) : 0,
      eventLoopDelay,
    };
  }

  stop(): void {
    this.#histogram.disable();
  }
}

/** How often a worker beats: often enough that a hang is seen within hangTimeout, at most once a second. */
export function heartbeatInterval(hangTimeout: number): number {
  if (hangTimeout <= 0) return 1000;
  return Math.max(50, Math.min(1000, Math.floor(hangTimeout / 4)));
}
