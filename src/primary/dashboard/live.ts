import { History, SAMPLE_MS, type Point } from './history.js';
import { parseLogLine } from './log-lines.js';
import type { DashboardSource, DashboardStatus, LogsEvent, Snapshot } from './source.js';
import { SseHub } from './sse.js';
import { Timeline } from './timeline.js';

// The live side of the dashboard: the chart history (always sampled, so a
// page opened later has its ten minutes), the timeline, and, only while a page
// watches, a status every second and the log lines as they come.

const TICK_MS = 1000;
/** Log lines go out in batches this often. */
const LOG_BATCH_MS = 100;
/** At most this many lines a batch; a flood sends the newest and says how many were left out. */
const LOG_BATCH_LINES = 500;
/** Lines a page gets when it connects. */
export const SNAPSHOT_LOG_LINES = 200;
/** A worker that starts or exits is shown this soon, not at the next tick. */
const SOON_MS = 50;

export class LiveFeed {
  readonly hub: SseHub;
  readonly history = new History();
  readonly timeline: Timeline;
  readonly #source: DashboardSource;
  readonly #timer: NodeJS.Timeout;
  #ticks = 0;
  #soon: NodeJS.Timeout | undefined;
  #unfollow: (() => void) | undefined;
  #lines: string[] = [];
  #skipped = 0;
  #flush: NodeJS.Timeout | undefined;

  constructor(source: DashboardSource) {
    this.#source = source;
    this.hub = new SseHub((count) => this.#watchers(count));
    this.timeline = new Timeline(source.app, source.engine, (entry) => {
      this.hub.send('event', entry);
      this.#statusSoon();
    });
    for (const event of ['worker-ready', 'worker-exit']) source.app.on(event, () => this.#statusSoon());
    this.history.sample(source.status());
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  status(): DashboardStatus {
    return this.#decorate(this.#source.status());
  }

  snapshot(): Snapshot {
    return {
      status: this.status(),
      history: this.history.snapshot(),
      events: this.timeline.entries,
      logs: this.#source.logs.tail(SNAPSHOT_LOG_LINES).map(parseLogLine),
    };
  }

  #decorate(status: ReturnType<DashboardSource['status']>): DashboardStatus {
    return { ...status, workers: status.workers.map((w) => ({ ...w, requestsPerSecond: this.history.rps(w.code) })) };
  }

  #tick(): void {
    const sampleNow = ++this.#ticks % (SAMPLE_MS / TICK_MS) === 0;
    if (!sampleNow && this.hub.size === 0) return;
    const status = this.#source.status();
    const points: Record<string, Point> | undefined = sampleNow ? this.history.sample(status) : undefined;
    this.hub.send('status', { status: this.#decorate(status), ...(points ? { points } : {}) });
  }

  #statusSoon(): void {
    if (this.hub.size === 0 || this.#soon) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      this.hub.send('status', { status: this.status() });
    }, SOON_MS);
  }

  // The log is followed only while someone watches: no page, no cost per line.
  #watchers(count: number): void {
    if (count > 0 && !this.#unfollow) {
      this.#unfollow = this.#source.logs.follow((line) => {
        this.#lines.push(line);
        if (this.#lines.length > LOG_BATCH_LINES * 2) {
          this.#skipped += this.#lines.length - LOG_BATCH_LINES;
          this.#lines = this.#lines.slice(-LOG_BATCH_LINES);
        }
        this.#flush ??= setTimeout(() => this.#sendLines(), LOG_BATCH_MS);
      });
    } else if (count === 0 && this.#unfollow) {
      this.#unfollow();
      this.#unfollow = undefined;
      clearTimeout(this.#flush);
      this.#flush = undefined;
      this.#lines = [];
      this.#skipped = 0;
    }
  }

  #sendLines(): void {
    this.#flush = undefined;
    const lines = this.#lines.length > LOG_BATCH_LINES ? this.#lines.slice(-LOG_BATCH_LINES) : this.#lines;
    const event: LogsEvent = { lines: lines.map(parseLogLine), skipped: this.#skipped + this.#lines.length - lines.length };
    this.#lines = [];
    this.#skipped = 0;
    this.hub.send('logs', event);
  }

  close(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
    clearTimeout(this.#flush);
    this.#unfollow?.();
    this.hub.close();
  }
}
