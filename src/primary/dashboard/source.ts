import type { EventEmitter } from 'node:events';
import type { StatusResult, WorkerStatus } from '../../shared/control.js';
import type { RecycledInfo } from '../health/recycle.js';
import type { Point } from './history.js';
import type { PageLogLine } from './log-lines.js';
import type { TimelineEntry } from './timeline.js';

// What the dashboard needs of the herd (HerdApp gives it), and the shapes it
// sends to the page.

export interface DashboardSource {
  status(): StatusResult;
  reload(): Promise<{ generation: number; needsRestart: string[] }>;
  scale(count: number): Promise<void>;
  /** Graceful: the replacement is ready before the worker drains. */
  replace(code: string): Promise<RecycledInfo>;
  logs: { tail(n: number): string[]; follow(listener: (line: string) => void): () => void };
  /** The public events (HerdApp) and the engine's own (reload start, scale, worker messages). */
  app: EventEmitter;
  engine: EventEmitter;
}

/** `/api/status`: `herd status --json` with requests per second per worker. */
export interface DashboardStatus extends StatusResult {
  workers: Array<WorkerStatus & { requestsPerSecond: number | null }>;
}

/** The first SSE event of every stream: all the page shows. */
export interface Snapshot {
  status: DashboardStatus;
  history: Record<string, Point[]>;
  events: TimelineEntry[];
  logs: PageLogLine[];
}

/** Every second while a page watches (and at once after a worker starts or exits). */
export interface StatusEvent {
  status: DashboardStatus;
  /** New chart points by code, every SAMPLE_MS. */
  points?: Record<string, Point>;
}

export interface LogsEvent {
  lines: PageLogLine[];
  /** Lines left out of this batch because too many came at once. */
  skipped: number;
}
