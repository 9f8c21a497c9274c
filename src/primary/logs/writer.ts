import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { formatJson, formatText, type LogLine, type Stream } from './format.js';
import { LineSplitter } from './line-splitter.js';

// The one writer. Every worker's stdout and stderr and the primary's own lines
// go through here, a whole line at a time, so two lines never mix.

export interface LogWriterOptions {
  file: string | undefined;
  json: boolean;
  terminal: boolean;
  /** Where terminal lines go (the primary's stdout unless a test says otherwise). */
  out?: Writable & { isTTY?: boolean };
  /** Lines kept in memory for `herd logs`. */
  ringSize?: number;
}

type Follower = (line: string) => void;

export class LogWriter {
  readonly #terminal: (Writable & { isTTY?: boolean }) | undefined;
  readonly #color: boolean;
  readonly #json: boolean;
  readonly #file: WriteStream | undefined;
  readonly #ring: string[] = [];
  readonly #ringSize: number;
  readonly #followers = new Set<Follower>();
  readonly #sources = new Set<Readable>();
  readonly #sourcesDone = new Set<Promise<void>>();
  #blocked = 0;

  constructor(options: LogWriterOptions) {
    this.#json = options.json;
    this.#ringSize = options.ringSize ?? 1000;
    this.#terminal = options.terminal ? (options.out ?? process.stdout) : undefined;
    this.#color = Boolean(this.#terminal?.isTTY) && !process.env.NO_COLOR;
    if (options.file) {
      mkdirSync(dirname(options.file), { recursive: true });
      this.#file = createWriteStream(options.file, { flags: 'a' });
    }
  }

  /** Captures one stream of a worker until it ends. */
  attach(source: string, pid: number, stream: Stream, readable: Readable): void {
    const splitter = new LineSplitter((text, continued) => {
      this.write({ source, pid, stream, text, time: Date.now(), continued });
    });
    this.#sources.add(readable);
    const done = new Promise<void>((resolve) => {
      const finish = (): void => {
        splitter.end();
        this.#sources.delete(readable);
        resolve();
      };
      readable.once('end', finish);
      readable.once('error', finish);
      readable.once('close', finish);
    });
    this.#sourcesDone.add(done);
    void done.then(() => this.#sourcesDone.delete(done));
    readable.on('data', (chunk: Buffer) => splitter.push(chunk));
    if (this.#blocked > 0) readable.pause();
  }

  /** herd's own lines. */
  primary(text: string, stream: Stream = 'stdout'): void {
    for (const part of text.split('\n')) {
      this.write({ source: 'primary', pid: process.pid, stream, text: part, time: Date.now() });
    }
  }

  write(line: LogLine): void {
    const plain = this.#json ? formatJson(line) : formatText(line, false);
    this.#ring.push(plain);
    if (this.#ring.length > this.#ringSize) this.#ring.shift();
    for (const follow of this.#followers) follow(plain);
    if (this.#terminal) {
      const text = this.#json || !this.#color ? plain : formatText(line, true);
      this.#push(this.#terminal, `${text}\n`);
    }
    if (this.#file) this.#push(this.#file, `${plain}\n`);
  }

  /** The last `n` lines written. */
  tail(n: number): string[] {
    return n <= 0 ? [] : this.#ring.slice(-n);
  }

  follow(listener: Follower): () => void {
    this.#followers.add(listener);
    return () => this.#followers.delete(listener);
  }

  // A destination that cannot keep up pauses every source: the pipes fill and
  // the workers' writes wait, instead of the primary's memory growing.
  #push(dest: Writable, text: string): void {
    if (dest.write(text)) return;
    this.#blocked++;
    if (this.#blocked === 1) for (const r of this.#sources) r.pause();
    dest.once('drain', () => {
      this.#blocked--;
      if (this.#blocked === 0) for (const r of this.#sources) r.resume();
    });
  }

  /** Waits until every attached stream has ended and every line is written. */
  async close(): Promise<void> {
    await Promise.all([...this.#sourcesDone]);
    this.#followers.clear();
    const file = this.#file;
    if (file) await new Promise<void>((resolve) => file.end(resolve));
    const term = this.#terminal;
    if (term && term.writableNeedDrain) await new Promise<void>((resolve) => term.once('drain', resolve));
  }
}
