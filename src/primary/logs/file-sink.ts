import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { createStream } from 'rotating-file-stream';
import { HerdError } from '../../errors.js';

// The log file. With `maxSize` it rotates by size through rotating-file-stream
// (logrotate-style names: app.log.1 is the newest rotated file, app.log.N the
// oldest, `maxFiles` of them kept); without, it is a plain append stream.
// `reopen()` lets an external logrotate move the file away.

export interface FileSinkOptions {
  path: string;
  /** Bytes; 0: never rotate. */
  maxSize: number;
  maxFiles: number;
  onError(error: Error): void;
}

export class FileSink {
  readonly path: string;
  readonly #options: FileSinkOptions;
  #stream: Writable;
  readonly #closing = new Set<Promise<void>>();

  constructor(options: FileSinkOptions) {
    this.path = options.path;
    this.#options = options;
    // Open once synchronously so a bad path fails `start` with a clear error,
    // before any worker runs.
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      closeSync(openSync(options.path, 'a'));
    } catch (error) {
      throw new HerdError('ERR_HERD_LOG_FILE', `cannot open the log file ${options.path}: ${(error as Error).message}`, { cause: error });
    }
    this.#stream = this.#open();
  }

  get stream(): Writable {
    return this.#stream;
  }

  #open(): Writable {
    const { path, maxSize, maxFiles } = this.#options;
    const stream: Writable = maxSize > 0
      ? createStream(basename(path), { path: dirname(path) + sep, size: `${maxSize}B`, rotate: maxFiles })
      : createWriteStream(path, { flags: 'a' });
    stream.on('error', (error: Error) => {
      if (stream === this.#stream) this.#options.onError(error);
    });
    return stream;
  }

  /** Flushes and closes the current file, and opens the path anew. */
  reopen(): Writable {
    this.#end(this.#stream);
    this.#stream = this.#open();
    return this.#stream;
  }

  #end(stream: Writable): void {
    const done = new Promise<void>((resolve) => {
      if (stream.destroyed) return resolve();
      stream.once('close', resolve);
      stream.once('error', () => resolve());
      stream.end();
    });
    this.#closing.add(done);
    void done.then(() => this.#closing.delete(done));
  }

  /** Resolves once every line handed to any stream of this sink is on disk. */
  async close(): Promise<void> {
    this.#end(this.#stream);
    await Promise.all([...this.#closing]);
  }
}
