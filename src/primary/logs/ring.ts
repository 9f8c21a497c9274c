// The last lines written, for `herd logs`, bounded both in lines and in
// characters so a burst of long lines cannot grow the primary without limit.

export const RING_LINES = 10_000;
export const RING_CHARS = 8 * 1024 * 1024;

export class Ring {
  readonly #lines: Array<string | undefined>;
  readonly #maxChars: number;
  #start = 0;
  #size = 0;
  #chars = 0;

  constructor(maxLines = RING_LINES, maxChars = RING_CHARS) {
    this.#lines = new Array<string | undefined>(maxLines);
    this.#maxChars = maxChars;
  }

  get size(): number {
    return this.#size;
  }

  push(line: string): void {
    const capacity = this.#lines.length;
    if (this.#size === capacity) this.#dropOldest();
    this.#lines[(this.#start + this.#size) % capacity] = line;
    this.#size++;
    this.#chars += line.length;
    // The newest line always stays, however long.
    while (this.#chars > this.#maxChars && this.#size > 1) this.#dropOldest();
  }

  /** The last `n` lines, oldest first. */
  tail(n: number): string[] {
    const count = Math.max(0, Math.min(n, this.#size));
    const out: string[] = [];
    for (let i = this.#size - count; i < this.#size; i++) out.push(this.#lines[(this.#start + i) % this.#lines.length]!);
    return out;
  }

  #dropOldest(): void {
    this.#chars -= this.#lines[this.#start]!.length;
    this.#lines[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.#lines.length;
    this.#size--;
  }
}
