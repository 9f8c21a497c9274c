import { HerdError } from '../errors.js';
import type { WireValue } from '../shared/protocol.js';

// The key-value data, held by the primary. A value is kept as it arrived from
// IPC (a fresh copy, never shared) or as V8 bytes when it holds binary data; its
// size comes with it, so the primary never walks it. Each key with a ttl has its
// own timer: an expired key is freed when it is due, not when someone reads it.

/** Bytes counted for each entry on top of its key and value (the Map slot, the entry, its timer). */
export const ENTRY_OVERHEAD = 64;
/** What a number counts for, as the senders estimate it (src/state/values.ts). */
export const NUMBER_BYTES = 16;
/** setTimeout's limit; longer ttls re-arm when it fires. */
const MAX_TIMER = 2 ** 31 - 1;

/** What get() returns: the value and whether it is V8 bytes. */
export type Stored = [value: unknown, encoded: boolean];

interface Entry {
  stored: Stored;
  bytes: number;
  expiresAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class MemoryStore {
  readonly #data = new Map<string, Entry>();
  readonly #maxBytes: number;
  #bytes = 0;

  /** `maxBytes` 0: no limit. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held now (keys, values and ENTRY_OVERHEAD per entry). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Live entries, expired ones excluded once their timer ran. */
  get size(): number {
    return this.#data.size;
  }

  get(key: string): Stored | undefined {
    return this.#live(key)?.stored;
  }

  /** The bytes `key` counts for (0 if there is no such key). */
  bytesOf(key: string): number {
    return this.#data.get(key)?.bytes ?? 0;
  }

  set(key: string, { value, encoded, size }: WireValue, ttl: number): void {
    // A copy: bytes from IPC are a view into the whole message, which must not stay alive with the value.
    const stored: Stored = encoded ? [new Uint8Array(value as Uint8Array), true] : [value, false];
    this.#put(key, stored, encoded ? (value as Uint8Array).byteLength : size, ttl > 0 ? Date.now() + ttl : 0, 'set');
  }

  delete(key: string): boolean {
    const entry = this.#live(key);
    if (!entry) return false;
    this.#remove(key, entry);
    return true;
  }

  incr(key: string, by: number): number {
    const entry = this.#live(key);
    const current = entry === undefined ? 0 : entry.stored[0];
    if (typeof current !== 'number' || entry?.stored[1]) {
      throw new HerdError('ERR_HERD_NOT_A_NUMBER', `store.incr(${JSON.stringify(key)}): the value is not a number`);
    }
    const next = current + by;
    // Like Redis' INCR, the key keeps its ttl.
    this.#put(key, [next, false], NUMBER_BYTES, entry?.expiresAt ?? 0, 'incr');
    return next;
  }

  keys(prefix: string): string[] {
    const now = Date.now();
    const out: string[] = [];
    for (const [key, entry] of this.#data) {
      if (key.startsWith(prefix) && !expired(entry, now)) out.push(key);
    }
    return out;
  }

  /** Sets a key's ttl (0: none) without touching its value; false when there is no such key. */
  expire(key: string, ttl: number): boolean {
    const entry = this.#live(key);
    if (!entry) return false;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.expiresAt = ttl > 0 ? Date.now() + ttl : 0;
    this.#arm(key, entry);
    return true;
  }

  /** Drops everything and every timer (the herd stops). */
  clear(): void {
    for (const entry of this.#data.values()) clearTimeout(entry.timer);
    this.#data.clear();
    this.#bytes = 0;
  }

  #put(key: string, stored: Stored, size: number, expiresAt: number, what: string): void {
    const old = this.#data.get(key);
    const bytes = key.length + size + ENTRY_OVERHEAD;
    const total = this.#bytes - (old?.bytes ?? 0) + bytes;
    if (this.#maxBytes > 0 && total > this.#maxBytes && bytes > (old?.bytes ?? 0)) {
      throw new HerdError('ERR_HERD_STORE_FULL', `store.${what}(${JSON.stringify(key)}): ${bytes} bytes would take the store to ${total} bytes, over storeMaxBytes (${this.#maxBytes}); nothing was written`);
    }
    if (old) clearTimeout(old.timer);
    const entry: Entry = { stored, bytes, expiresAt, timer: undefined };
    this.#data.set(key, entry);
    this.#bytes = total;
    this.#arm(key, entry);
  }

  #arm(key: string, entry: Entry): void {
    if (entry.expiresAt === 0) return;
    const delay = Math.min(Math.max(entry.expiresAt - Date.now(), 0), MAX_TIMER);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.#data.get(key) !== entry) return;
      if (expired(entry, Date.now())) this.#remove(key, entry);
      else this.#arm(key, entry);
    }, delay);
    // The data must not keep a stopping primary alive.
    entry.timer.unref();
  }

  /** The entry if it exists and has not expired; a timer late under load must not let a read see it. */
  #live(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && expired(entry, Date.now())) {
      this.#remove(key, entry);
      return undefined;
    }
    return entry;
  }

  #remove(key: string, entry: Entry): void {
    clearTimeout(entry.timer);
    this.#data.delete(key);
    this.#bytes -= entry.bytes;
  }
}

function expired(entry: Entry, now: number): boolean {
  return entry.expiresAt !== 0 && entry.expiresAt <= now;
}
