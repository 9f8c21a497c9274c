// Request/response correlation: ids, timeouts, late replies dropped. Used by
// the worker for its own consume/map, and by the primary for the calls it
// hands to workers.

export interface Pending<T> {
  settle(value: T): void;
  /** Called instead of settle when the timeout fires first. */
  expire(): void;
}

interface Entry<T> extends Pending<T> {
  timer: NodeJS.Timeout | undefined;
}

export class Correlator<T> {
  #next = 1;
  readonly #open = new Map<number, Entry<T>>();

  /** Opens a request; `timeout` 0 means it waits for as long as it takes. */
  open(pending: Pending<T>, timeout = 0): number {
    const id = this.#next++;
    const entry: Entry<T> = { ...pending, timer: undefined };
    if (timeout > 0) {
      entry.timer = setTimeout(() => {
        this.#open.delete(id);
        entry.expire();
      }, timeout);
    }
    this.#open.set(id, entry);
    return id;
  }

  /** Settles request `id`; false (and nothing happens) when it already settled or timed out. */
  settle(id: number, value: T): boolean {
    const entry = this.#open.get(id);
    if (!entry) return false;
    this.#open.delete(id);
    clearTimeout(entry.timer);
    entry.settle(value);
    return true;
  }

  /** Forgets request `id` without settling it. */
  drop(id: number): boolean {
    const entry = this.#open.get(id);
    if (!entry) return false;
    this.#open.delete(id);
    clearTimeout(entry.timer);
    return true;
  }

  has(id: number): boolean {
    return this.#open.has(id);
  }

  /** Open requests, for tests that check nothing leaks. */
  get size(): number {
    return this.#open.size;
  }
}
