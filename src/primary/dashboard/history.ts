import type { StatusResult } from '../../shared/control.js';

// The last ten minutes of each worker slot (by code, across replacements),
// one point every SAMPLE_MS, for the page's small charts. Requests per second
// come from the difference of two samples of the worker's request counter.

export const SAMPLE_MS = 2000;
export const HISTORY_MS = 10 * 60_000;
const POINTS = HISTORY_MS / SAMPLE_MS;

/** [time ms, CPU % of a core, RSS bytes, requests/s]; null where the worker had not reported yet. */
export type Point = [number, number | null, number | null, number | null];

interface Series {
  points: Point[];
  pid: number;
  requests: number | null;
  at: number;
  rps: number | null;
}

export class History {
  readonly #series = new Map<string, Series>();

  /** Records one point per worker in `status`; returns the new points by code. */
  sample(status: StatusResult, now = Date.now()): Record<string, Point> {
    const added: Record<string, Point> = {};
    const live = new Set<string>();
    for (const w of status.workers) {
      // A draining worker beside its replacement: the slot's chart follows the one that serves.
      if (w.state === 'draining' || w.state === 'exited') continue;
      live.add(w.code);
      let series = this.#series.get(w.code);
      if (!series) {
        series = { points: [], pid: w.pid, requests: null, at: now, rps: null };
        this.#series.set(w.code, series);
      }
      series.rps = rate(series, w.pid, w.requests, w.startedAt, now);
      series.pid = w.pid;
      series.requests = w.requests;
      series.at = now;
      const point: Point = [now, w.cpu, w.memory?.rss ?? null, series.rps];
      series.points.push(point);
      if (series.points.length > POINTS) series.points.shift();
      added[w.code] = point;
    }
    // A slot scaled away takes its chart with it.
    for (const code of this.#series.keys()) if (!live.has(code) && !status.workers.some((w) => w.code === code)) this.#series.delete(code);
    return added;
  }

  /** The latest requests/s of a slot. */
  rps(code: string): number | null {
    return this.#series.get(code)?.rps ?? null;
  }

  snapshot(): Record<string, Point[]> {
    return Object.fromEntries([...this.#series].map(([code, s]) => [code, s.points]));
  }
}

function rate(series: Series, pid: number, requests: number | null, startedAt: number, now: number): number | null {
  if (requests === null) return null;
  // A new worker in the slot counts from its own start.
  const [before, since] = series.pid === pid && series.requests !== null ? [series.requests, series.at] : [0, startedAt];
  const seconds = (now - since) / 1000;
  if (seconds <= 0) return null;
  return Math.round((Math.max(0, requests - before) / seconds) * 10) / 10;
}
