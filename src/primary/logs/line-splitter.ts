// Splits a byte stream into lines. A partial line waits for its end; a line
// longer than `maxLine` bytes is cut into pieces, each but the last marked as
// continued, so one runaway line cannot hold the primary's memory hostage.

/** The long-line cap: 1 MiB. Documented in docs/logs.md. */
export const DEFAULT_MAX_LINE = 1024 * 1024;

export class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly #maxLine: number;
  readonly #onLine: (line: string, continued: boolean) => void;

  constructor(onLine: (line: string, continued: boolean) => void, maxLine = DEFAULT_MAX_LINE) {
    if (!Number.isInteger(maxLine) || maxLine < 4) throw new RangeError(`maxLine must be an integer >= 4, received ${maxLine}`);
    this.#onLine = onLine;
    this.#maxLine = maxLine;
  }

  /** Bytes of a line still waiting for its end. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    const last = chunk.lastIndexOf(0x0a);
    if (last !== -1 && this.#pendingBytes > 0) {
      // The line waiting for its end comes first.
      const nl = chunk.indexOf(0x0a);
      this.#append(chunk.subarray(0, nl));
      this.#emit(false);
      start = nl + 1;
    }
    if (last >= start && last - start <= this.#maxLine) {
      // Fast path: no line here can pass the cap, and a newline byte is never
      // part of a multi-byte UTF-8 character, so decode the run once and split.
      for (const line of chunk.toString('utf8', start, last).split('\n')) {
        this.#onLine(line.endsWith('\r') ? line.slice(0, -1) : line, false);
      }
      start = last + 1;
    }
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
      const cut = utf8Boundary(part, this.#maxLine - this.#pendingBytes, this.#pendingBytes > 0);
      this.#pending.push(part.subarray(0, cut));
      this.#pendingBytes += cut;
      this.#emit(true);
      part = part.subarray(cut);
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
    if (!continued && line.endsWith('\r')) line = line.slice(0, -1);
    this.#onLine(line, continued);
  }
}

// Cut before a UTF-8 continuation byte would split a character in two pieces.
function utf8Boundary(buf: Buffer, at: number, canBeEmpty: boolean): number {
  let cut = at;
  while (cut > 0 && cut > at - 4 && (buf[cut]! & 0xc0) === 0x80) cut--;
  // A piece must make progress: with nothing pending, cut inside the character.
  return cut > 0 || canBeEmpty ? cut : at;
}
