import { EventEmitter } from 'node:events';
import { closeSync, existsSync, fstatSync, mkdirSync, renameSync, write } from 'node:fs';
import { dirname } from 'node:path';
import { HerdError } from '../../errors.js';
import { refusePseudoFilesystem } from '../../config/paths.js';
import { openLogFile } from './open-log.js';

// The log file: an append-only queue of batches written to one fd, rotated by
// size (logrotate-style names: app.log.1 the newest rotated file, app.log.N
// the oldest, `maxFiles` of them kept), reopened on request.
//
// A failed write (ENOSPC, EIO) is reported once and retried every second,
// the lines kept in order. While the file fails it holds at most
// MAX_HELD_BYTES and counts whole batches beyond that, so a full disk never
// stops the app (the terminal and `herd logs` keep every line); how many lines
// the file missed is said when it works again.

export interface FileSinkOptions {
  path: string;
  /** Bytes; 0: never rotate. */
  maxSize: number;
  maxFiles: number;
  /** A failure starts (once per failure, not once per retry). */
  onError(error: Error): void;
  /** The file is written again; `lost` lines were counted away meanwhile. */
  onRecover(lost: number): void;
  /** Tests replace the write to fail on purpose. */
  writeFd?: typeof write;
}

type Item = { text: Buffer; lines: number } | { reopen: number };

/** Unwritten bytes past which a writer is asked to wait for 'drain' (a stream's default). */
const HIGH_WATER = 16 * 1024;
const MAX_HELD_BYTES = 4 * 1024 * 1024;
const RETRY_MS = 1_000;

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export class FileSink extends EventEmitter {
  readonly path: string;
  readonly #options: FileSinkOptions;
  readonly #write: typeof write;
  #fd: number | undefined;
  #size = 0;
  readonly #queue: Item[] = [];
  #pending = 0;
  #needDrain = false;
  #pumping = false;
  #failure: Error | undefined;
  #lost = 0;
  #closing = false;
  #closed: Promise<void> | undefined;
  #idle: (() => void) | undefined;
  #retry: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  readonly destroyed = false;

  constructor(options: FileSinkOptions) {
    super();
    this.path = options.path;
    this.#options = options;
    this.#write = options.writeFd ?? write;
    refusePseudoFilesystem('logs.file', options.path);
    // Opened synchronously so a bad path fails `start` with a clear error, before any worker runs.
    try {
      if (!existsSync(dirname(options.path))) mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new HerdError('ERR_HERD_LOG_FILE', `cannot create the folder of the log file ${options.path}: ${(error as Error).message}`, { cause: error });
    }
    this.#fd = openLogFile(options.path);
    this.#size = fstatSync(this.#fd).size;
    if (options.maxSize > 0 && this.#size >= options.maxSize) this.#rotate();
  }

  // The part of the Writable interface the log writer uses.
  get writableLength(): number {
    return this.#pending;
  }

  /** While the file fails, nobody waits for it: lines beyond MAX_HELD_BYTES are counted instead. */
  get writableNeedDrain(): boolean {
    return this.#needDrain && !this.#failure;
  }

  get writableEnded(): boolean {
    return this.#closing;
  }

  write(text: string): boolean {
    if (this.#closing) return false;
    if (this.#failure && this.#pending > MAX_HELD_BYTES) {
      this.#lost += countLines(text);
      return true;
    }
    const buffer = Buffer.from(text);
    this.#queue.push({ text: buffer, lines: countLines(text) });
    this.#pending += buffer.length;
    void this.#pump();
    if (this.#pending < HIGH_WATER) return true;
    this.#needDrain = true;
    return false;
  }

  /**
   * Opens the path anew (after an external logrotate moved the file). Lines
   * written before go to the old file, lines after to the new one. When the
   * path cannot be opened, throws and goes on writing to the old file.
   */
  reopen(): void {
    if (this.#closing) throw new HerdError('ERR_HERD_LOG_FILE', 'the log file is closing');
    const fd = openLogFile(this.path);
    // Lines stuck on a failing file may well succeed on the new one.
    if (this.#failure) this.#queue.unshift({ reopen: fd });
    else this.#queue.push({ reopen: fd });
    this.#retry?.wake();
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    while (this.#queue.length > 0) {
      const item = this.#queue[0]!;
      if ('reopen' in item) {
        this.#queue.shift();
        this.#swap(item.reopen);
        continue;
      }
      try {
        this.#fd ??= openLogFile(this.path);
        const fd = this.#fd;
        const n = await new Promise<number>((resolve, reject) => {
          this.#write(fd, item.text, 0, item.text.length, null, (error, written) => (error ? reject(error) : resolve(written)));
        });
        this.#pending -= n;
        this.#size += n;
        if (n < item.text.length) {
          item.text = item.text.subarray(n);
        } else {
          this.#queue.splice(this.#queue.indexOf(item), 1);
          if (this.#options.maxSize > 0 && this.#size >= this.#options.maxSize) this.#rotate();
        }
        if (this.#failure) this.#recovered();
      } catch (error) {
        if (!this.#failure) {
          this.#failure = error as Error;
          this.#options.onError(error as Error);
          // Whoever waits for a drain stops waiting: the workers go on running.
          this.#needDrain = false;
          this.emit('drain');
        }
        if (this.#closing) {
          this.#giveUp();
          break;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RETRY_MS);
          this.#retry = { timer, wake: () => { clearTimeout(timer); resolve(); } };
        });
        this.#retry = undefined;
      }
    }
    this.#pumping = false;
    if (this.#needDrain) {
      this.#needDrain = false;
      this.emit('drain');
    }
    this.#idle?.();
  }

  #recovered(): void {
    const lost = this.#lost;
    this.#failure = undefined;
    this.#lost = 0;
    this.#options.onRecover(lost);
  }

  /** At close, a file still failing after one more try: its held lines are counted as lost. */
  #giveUp(): void {
    for (const item of this.#queue) if ('text' in item) this.#lost += item.lines;
    this.#queue.length = 0;
    this.#pending = 0;
    this.#options.onError(new HerdError('ERR_HERD_LOG_FILE', `${this.#lost} lines could not be written to the log file ${this.path} (${this.#failure?.message})`));
  }

  #swap(fd: number): void {
    if (this.#fd !== undefined) {
      try { closeSync(this.#fd); } catch { /* already unusable */ }
    }
    this.#fd = fd;
    this.#size = fstatSync(fd).size;
  }

  // Synchronous: a few renames, rare, and no write may slip in between.
  #rotate(): void {
    const { path, maxFiles } = this.#options;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    for (let i = maxFiles; i > 0; i--) {
      const from = i === 1 ? path : `${path}.${i - 1}`;
      if (existsSync(from)) renameSync(from, `${path}.${i}`);
    }
    this.#fd = openLogFile(path);
    this.#size = 0;
  }

  /** Resolves once every line handed to the sink is on disk (or, when the file still fails, counted as lost). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing = true;
      this.#retry?.wake();
      if (this.#pumping || this.#queue.length > 0) {
        await new Promise<void>((resolve) => {
          this.#idle = resolve;
          void this.#pump();
        });
      }
      if (this.#fd !== undefined) {
        try { closeSync(this.#fd); } catch { /* nothing left to save */ }
        this.#fd = undefined;
      }
      this.emit('close');
    })();
    return this.#closed;
  }
}
