// Splits a byte stream into lines. A partial line waits for its end; a line
// longer than `maxLine` bytes is cut into pieces, each marked as continued.

export const DEFAULT_MAX_LINE = 1024 * 1024;

export class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly #maxLine: number;
  readonly #onLine: (line: string, continued: boolean) => void;

  constructor(onLine: (line: string, continued: boolean) => void, maxLine = DEFAULT_MAX_LINE) {
    this.#onLine = onLine;
    this.#maxLine = maxLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      this.#append(chunk.subarray(start, nl));
      this.#emit(false);
      start = nl + 1;
    }
    if (start < chunk.length) this.#append(chunk.subarray(start));
  }

  /** Emits what is left (a last line without a newline). */
  end(): void {
    if (this.#pendingBytes > 0) this.#emit(false);
  }

  #append(part: Buffer): void {
    while (this.#pendingBytes + part.length > this.#maxLine) {
      const room = this.#maxLine - this.#pendingBytes;
      this.#pending.push(part.subarray(0, room));
      this.#pendingBytes += room;
      this.#emit(true);
      part = part.subarray(room);
    }
    if (part.length > 0) {
      this.#pending.push(part);
      this.#pendingBytes += part.length;
    }
  }

  #emit(continued: boolean): void {
    const buf = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    let line = buf.toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.#onLine(line, continued);
  }
}
