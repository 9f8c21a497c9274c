import { HerdError } from '../errors.js';
import type { StoredValue } from '../shared/protocol.js';

// The key-value data, held by the primary. Values arrive encoded (a number, or
// V8-serialized bytes), so the primary never walks them and knows their exact
// size. Each key with a ttl has its own timer: an expired key is freed when it
// is due, not when someone happens to read it.

/** Bytes counted for each entry on top of its key and value (the Map slot, the entry, its timer). */
export const ENTRY_OVERHEAD = 64;
/** setTimeout's limit; longer ttls re-arm when it fires. */
const MAX_TIMER = 2 ** 31 - 1;

interface Entry {
  value: StoredValue;
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

  get(key: string): StoredValue | undefined {
    return this.#live(key)?.value;
  }

  set(key: string, value: StoredValue, ttl: number): void {
    // A copy: bytes from IPC are a view into the whole message, which must not stay alive with the value.
    const own = typeof value === 'number' ? value : new Uint8Array(value);
    this.#put(key, own, ttl > 0 ? Date.now() + ttl : 0, 'set');
  }

  delete(key: string): boolean {
    const entry = this.#live(key);
    if (!entry) return false;
    this.#remove(key, entry);
    return true;
  }

  incr(key: string, by: number): number {
    const entry = this.#live(key);
    const current = entry === undefined ? 0 : entry.value;
    if (typeof current !== 'number') {
      throw new HerdError('ERR_HERD_NOT_A_NUMBER', `store.incr(${JSON.stringify(key)}): the value is not a number`);
    }
    const next = current + by;
    // Like Redis' INCR, the key keeps its ttl.
    this.#put(key, next, entry?.expiresAt ?? 0, 'incr');
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

  #put(key: string, value: StoredValue, expiresAt: number, what: string): void {
    const old = this.#data.get(key);
    const bytes = key.length + (typeof value === 'number' ? 8 : value.byteLength) + ENTRY_OVERHEAD;
    const total = this.#bytes - (old?.bytes ?? 0) + bytes;
    if (this.#maxBytes > 0 && total > this.#maxBytes && bytes > (old?.bytes ?? 0)) {
      throw new HerdError('ERR_HERD_STORE_FULL', `store.${what}(${JSON.stringify(key)}): ${bytes} bytes would take the store to ${total} bytes, over storeMaxBytes (${this.#maxBytes}); nothing was written`);
    }
    if (old) clearTimeout(old.timer);
    const entry: Entry = { value, bytes, expiresAt, timer: undefined };
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
