import type { EventEmitter } from 'node:events';
import { isHerdMessage } from '../../shared/protocol.js';
import type { WorkerExitInfo } from '../supervisor.js';
import type { HungInfo } from '../health/hang.js';
import type { RecycledInfo } from '../health/recycle.js';
import type { WorkerRecord } from '../registry.js';

// What happened to the herd, in words, for the page's timeline: crashes with
// their error, hangs with their stack, recycles and why, reloads, scaling.
// The last MAX_ENTRIES are kept for a page that opens later.

const MAX_ENTRIES = 200;
/** Workers whose crash was told, so their exit is not told again (bounded). */
const FATAL_MEMORY = 64;

export type EntryKind = 'crash' | 'hung' | 'recycle' | 'reload' | 'scale' | 'crash-loop';

export interface TimelineEntry {
  time: number;
  kind: EntryKind;
  /** good / bad news, for the page's colour. */
  level: 'info' | 'warn' | 'error';
  text: string;
  code?: string;
  pid?: number;
  /** More lines: a hung worker's stack. */
  detail?: string[];
}

export class Timeline {
  readonly entries: TimelineEntry[] = [];
  readonly #fatal = new Set<number>();
  readonly #onEntry: (entry: TimelineEntry) => void;

  /** `app`: the public events; `engine`: the supervisor's own (reload start, scale, worker messages). */
  constructor(app: EventEmitter, engine: EventEmitter, onEntry: (entry: TimelineEntry) => void) {
    this.#onEntry = onEntry;
    engine.on('worker-message', (record: WorkerRecord, msg: unknown) => {
      if (!isHerdMessage(msg) || msg.verb !== 'fatal') return;
      // Told when it happens: the worker may take shutdownTimeout to drain and exit.
      const code = msg.error.code ? ` [${msg.error.code}]` : '';
      this.#fatal.add(record.pid);
      if (this.#fatal.size > FATAL_MEMORY) this.#fatal.delete(this.#fatal.values().next().value!);
      this.#add({ kind: 'crash', level: 'error', code: record.code, pid: record.pid, text: `worker ${record.code} (pid ${record.pid}) crashed: ${msg.kind}: ${msg.error.message}${code}`, detail: msg.error.stack?.split('\n').slice(1, 12).map((l) => l.trim()) });
    });
    app.on('worker-exit', (info: WorkerExitInfo) => this.#exit(info));
    app.on('worker-hung', (info: HungInfo) => {
      this.#add({ kind: 'hung', level: 'error', code: info.code, pid: info.pid, text: `worker ${info.code} (pid ${info.pid}) hung: its event loop did not turn for ${info.silentFor} ms; replaced`, detail: info.stack.length > 0 ? info.stack : [`stack not read: ${info.stackError ?? 'no frames'}`] });
    });
    app.on('worker-recycled', (info: RecycledInfo) => {
      const why = info.reason === 'manual' ? 'replaced on request' : `recycled (${info.reason}): ${info.detail}`;
      this.#add({ kind: 'recycle', level: 'info', code: info.code, pid: info.pid, text: `worker ${info.code} (pid ${info.pid}) ${why}; pid ${info.replacement.pid} serves` });
    });
    engine.on('reload-start', ({ generation }: { generation: number }) => {
      this.#add({ kind: 'reload', level: 'info', text: `reload to generation ${generation} started` });
    });
    app.on('reload', (info: { generation: number; ok: boolean; error?: Error }) => {
      if (info.ok) this.#add({ kind: 'reload', level: 'info', text: `reload finished: generation ${info.generation} serves` });
      else this.#add({ kind: 'reload', level: 'error', text: `reload to generation ${info.generation} rolled back: ${info.error?.message.split('\n')[0] ?? 'failed'}` });
    });
    engine.on('scale', ({ from, to }: { from: number; to: number }) => {
      this.#add({ kind: 'scale', level: 'info', text: `scaled from ${from} to ${to} worker${to === 1 ? '' : 's'}` });
    });
    app.on('crash-loop', (error: Error) => {
      this.#add({ kind: 'crash-loop', level: 'error', text: error.message.split('\n')[0]!, detail: error.message.split('\n').slice(1) });
    });
  }

  #exit(info: WorkerExitInfo): void {
    if (this.#fatal.delete(info.pid) || info.expected) return;
    const how = info.signal ? `signal ${info.signal}` : `exit code ${info.exitCode}`;
    this.#add({ kind: 'crash', level: 'error', code: info.code, pid: info.pid, text: `worker ${info.code} (pid ${info.pid}) exited unexpectedly (${how})` });
  }

  #add(entry: Omit<TimelineEntry, 'time'>): void {
    const full = { time: Date.now(), ...entry };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    this.#onEntry(full);
  }
}
