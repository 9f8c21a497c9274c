import type { Readable, Writable } from 'node:stream';
import { HerdError } from '../../errors.js';
import { FileSink } from './file-sink.js';
import { formatJson, formatText, isoTime, type LogLine, type Stream } from './format.js';
import { LineSplitter } from './line-splitter.js';
import { Ring } from './ring.js';

// The one writer. Every worker's stdout and stderr and the primary's own lines
// go through here, a whole line at a time, so two lines never mix.

export interface LogWriterOptions {
  file: string | undefined;
  json: boolean;
  terminal: boolean;
  /** Rotate the file at this many bytes (0: never). */
  maxSize?: number;
  /** Rotated files kept. */
  maxFiles?: number;
  /** Where terminal lines go (the primary's stdout unless a test says otherwise). */
  out?: Writable & { isTTY?: boolean };
  /** Longest line before it is cut (bytes). */
  maxLine?: number;
  /** ISO timestamps in front of plain lines: true everywhere, false nowhere, undefined in the file only. */
  timestamp?: boolean;
}

type Follower = (line: string) => void;
type Callback = (error?: Error | null) => void;

// Lines are gathered and handed to a destination in one write, at most this
// much: a syscall per line would cap throughput.
const MAX_BATCH = 64 * 1024;
// Workers' lines are written this long after they were read, not per chunk
// read: a fast primary reads a pipe a few lines at a time, and a file write per
// read (a thread-pool round trip) cost more than the lines themselves.
const FLUSH_DELAY_MS = 2;
// What a destination may hold unwritten before the workers are held back.
// Well above a stream's own highWaterMark (16 KiB), so reading the pipes and
// writing the disk overlap instead of taking turns.
const MAX_PENDING = 1024 * 1024;
// After the workers are gone, a pipe still open with nothing flowing for this
// long is held by a process the worker started; stop waiting for it.
const ORPHAN_PIPE_IDLE_MS = 2_000;

/** What the writer needs of a destination: the terminal's stream or the log file. */
interface Out {
  write(text: string): boolean;
  readonly writableLength: number;
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

interface Destination {
  stream: Out;
  /** How a batch is written (in --single, the stream's write from before the capture). */
  write(text: string): boolean;
  color: boolean;
  batch: string;
  batchLimit: number;
}

interface Source {
  readable: Readable;
  splitter: LineSplitter;
  done: Promise<void>;
  finish(): void;
  label: string;
}

export class LogWriter {
  readonly #json: boolean;
  readonly #ring = new Ring();
  readonly #followers = new Set<Follower>();
  readonly #sources = new Set<Source>();
  readonly #blocked = new Set<Out>();
  readonly #maxLine: number | undefined;
  #terminal: Destination | undefined;
  readonly #released: Array<() => void> = [];
  readonly #sink: FileSink | undefined;
  #file: Destination | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #selfSplitters: LineSplitter[] = [];
  #lastData = 0;
  #flushTimer: NodeJS.Timeout | undefined;
  readonly #stamp: { terminal: boolean; file: boolean; ring: boolean };

  constructor(options: LogWriterOptions) {
    this.#json = options.json;
    const file = options.timestamp ?? Boolean(options.file);
    const terminal = options.timestamp ?? false;
    // `herd logs` shows the lines as the terminal does, or as the file does when there is no terminal (-d).
    this.#stamp = { terminal, file, ring: options.terminal ? terminal : file };
    this.#maxLine = options.maxLine;
    if (options.terminal) {
      const out = options.out ?? process.stdout;
      const color = Boolean(out.isTTY) && !options.json && !process.env.NO_COLOR;
      this.#terminal = { stream: out, write: (text) => out.write(text), color, batch: '', batchLimit: MAX_BATCH };
      // The terminal went away (`herd start | head`, a dead pager): the herd
      // keeps serving and logging to the file and the ring, not crash on EPIPE.
      out.on('error', () => { this.#terminal = undefined; });
    }
    if (options.file) {
      const maxSize = options.maxSize ?? 0;
      this.#sink = new FileSink({
        path: options.file,
        maxSize,
        maxFiles: options.maxFiles ?? 5,
        onError: (error) => this.#fileFailed(error),
        onRecover: (lost) => this.#fileRecovered(lost),
      });
      // A batch never carries a file far past maxSize before it rotates.
      const batchLimit = maxSize > 0 ? Math.max(1, Math.min(MAX_BATCH, Math.floor(maxSize / 16))) : MAX_BATCH;
      const file: Destination = { stream: this.#sink, write: (text) => file.stream.write(text), color: false, batch: '', batchLimit };
      this.#file = file;
    }
  }

  /** Captures one stream of a worker until it ends. */
  attach(source: string, pid: number, stream: Stream, readable: Readable): void {
    const splitter = new LineSplitter((text, continued) => {
      this.#add({ source, pid, stream, text, time: Date.now(), continued });
    }, this.#maxLine);
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = (): void => {
        if (!this.#sources.has(entry)) return;
        this.#sources.delete(entry);
        splitter.end();
        this.#flush();
        resolve();
      };
    });
    const entry: Source = { readable, splitter, done, finish, label: `${source} (pid ${pid}) ${stream}` };
    this.#sources.add(entry);
    readable.once('end', finish);
    readable.once('error', finish);
    readable.once('close', finish);
    readable.on('data', (chunk: Buffer) => {
      this.#lastData = Date.now();
      splitter.push(chunk);
      this.#flushSoon();
    });
    if (this.#blocked.size > 0) readable.pause();
  }

  /**
   * Writes to this process's stdout and stderr become log lines of `source`:
   * the app with --single (`A`), the `primary` module under the CLI. Native
   * code writing to fd 1 or 2 directly is not caught, and nothing can hold
   * the app back when a destination is slow.
   */
  captureSelf(source: string): void {
    for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
      const own = stream.write;
      this.#released.push(() => { stream.write = own; });
      const original = stream.write.bind(stream) as (text: string) => boolean;
      if (this.#terminal?.stream === stream) this.#terminal.write = original;
      const splitter = new LineSplitter((text, continued) => {
        this.#add({ source, pid: process.pid, stream: name, text, time: Date.now(), continued });
      }, this.#maxLine);
      this.#selfSplitters.push(splitter);
      const capture = (chunk: string | Uint8Array, encoding?: BufferEncoding | Callback, cb?: Callback): boolean => {
        const done = typeof encoding === 'function' ? encoding : cb;
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk);
        splitter.push(buffer);
        this.#flush();
        if (done) process.nextTick(done, null);
        return true;
      };
      (stream as unknown as { write: typeof capture }).write = capture;
    }
  }

  /** Gives this process's stdout and stderr back (once the log is closed: the CLI's last word goes to the real stderr). */
  releaseSelf(): void {
    for (const release of this.#released.splice(0)) release();
  }

  /** A line for the terminal alone: never the ring (herd logs, the dashboard) nor the file. For a secret, the dashboard's token. */
  terminalOnly(text: string): void {
    const term = this.#terminal;
    if (!term) return;
    this.#queue(term, text);
    this.#send(term);
  }

  /** herd's own lines. */
  primary(text: string, stream: Stream = 'stdout'): void {
    for (const part of text.split('\n')) {
      this.#add({ source: 'primary', pid: process.pid, stream, text: part, time: Date.now() });
    }
    this.#flush();
  }

  write(line: LogLine): void {
    this.#add(line);
    this.#flush();
  }

  /** The last `n` lines written (the ring keeps 10,000 lines, 8 MiB at most). */
  tail(n: number): string[] {
    return this.#ring.tail(n);
  }

  follow(listener: Follower): () => void {
    this.#followers.add(listener);
    return () => this.#followers.delete(listener);
  }

  /**
   * For external logrotate: close the file and open the configured path anew.
   * False when no file is configured; throws (and logs why) when the path
   * cannot be opened, the old file then staying in use.
   */
  reopen(): boolean {
    if (!this.#sink || !this.#file || this.#closed) return false;
    this.#flush();
    try {
      this.#sink.reopen();
    } catch (error) {
      this.primary(`herd: ${(error as Error).message}; still writing to the file opened before`, 'stderr');
      throw error;
    }
    this.primary(`herd: reopened the log file ${this.#sink.path}`);
    return true;
  }

  #add(line: LogLine): void {
    const stamp = this.#stamp;
    const json = this.#json ? formatJson(line) : undefined;
    // One rendering per line: the stamped text is the plain one behind the time
    // (a JSON object line, which starts with '{', carries no stamp).
    let plain: string | undefined;
    let stamped: string | undefined;
    const text = (timestamp: boolean): string => {
      if (json !== undefined) return json;
      plain ??= formatText(line, false, false);
      if (!timestamp) return plain;
      stamped ??= plain.startsWith('{') ? plain : `${isoTime(line.time)} ${plain}`;
      return stamped;
    };
    const ring = text(stamp.ring);
    this.#ring.push(ring);
    for (const follow of this.#followers) follow(ring);
    const term = this.#terminal;
    if (term) this.#queue(term, term.color && !json ? formatText(line, true, stamp.terminal) : stamp.terminal === stamp.ring ? ring : text(stamp.terminal));
    if (this.#file) this.#queue(this.#file, stamp.file === stamp.ring ? ring : text(stamp.file));
  }

  #queue(dest: Destination, text: string): void {
    dest.batch += `${text}\n`;
    if (dest.batch.length >= dest.batchLimit) this.#send(dest);
  }

  #flushSoon(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, FLUSH_DELAY_MS);
    this.#flushTimer.unref();
  }

  #flush(): void {
    if (this.#terminal) this.#send(this.#terminal);
    if (this.#file) this.#send(this.#file);
  }

  // A destination that cannot keep up pauses every source: the pipes fill and
  // the workers' writes wait, instead of the primary's memory growing.
  #send(dest: Destination): void {
    if (dest.batch === '') return;
    const text = dest.batch;
    dest.batch = '';
    const stream = dest.stream;
    if (stream.destroyed || stream.writableEnded) return;
    dest.write(text);
    // Past its highWaterMark a stream has promised a 'drain' once it is empty.
    if (stream.writableLength < MAX_PENDING || !stream.writableNeedDrain || this.#blocked.has(stream)) return;
    this.#blocked.add(stream);
    if (this.#blocked.size === 1) for (const s of this.#sources) s.readable.pause();
    const release = (): void => {
      stream.off('drain', release);
      stream.off('close', release);
      if (!this.#blocked.delete(stream)) return;
      if (this.#blocked.size === 0) for (const s of this.#sources) s.readable.resume();
    };
    stream.on('drain', release);
    stream.on('close', release);
  }

  #fileFailed(error: Error): void {
    const path = this.#sink?.path;
    const text = error instanceof HerdError ? error.message : `writing the log file ${path} failed (${error.message}); retrying every second, the terminal and \`herd logs\` have every line`;
    this.primary(`herd: ${text}`, 'stderr');
  }

  #fileRecovered(lost: number): void {
    const missed = lost > 0 ? `; ${lost} lines written meanwhile are missing from it (the terminal and \`herd logs\` have them)` : '';
    this.primary(`herd: the log file ${this.#sink?.path} is written again${missed}`, 'stderr');
  }

  /**
   * Waits until every attached stream has ended and every line is written:
   * the workers have exited, so their pipes end once they are read dry.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#lastData = Date.now();
    while (this.#sources.size > 0) {
      const all = Promise.all([...this.#sources].map((s) => s.done));
      const tick = new Promise<'tick'>((resolve) => setTimeout(resolve, 250, 'tick'));
      if ((await Promise.race([all, tick])) !== 'tick') break;
      if (this.#blocked.size > 0 || Date.now() - this.#lastData < ORPHAN_PIPE_IDLE_MS) continue;
      for (const s of [...this.#sources]) {
        this.primary(`herd: stopped reading ${s.label}: a process it started still holds the pipe open`, 'stderr');
        s.readable.destroy();
        s.finish();
      }
    }
    for (const splitter of this.#selfSplitters) splitter.end();
    this.#flush();
    this.#closed = true;
    this.#followers.clear();
    this.#file = undefined;
    await this.#sink?.close();
    const term = this.#terminal?.stream;
    if (term?.writableNeedDrain) await new Promise<void>((resolve) => term.once('drain', resolve));
  }
}
