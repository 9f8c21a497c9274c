import { HerdError } from '../errors.js';

// Cluster-wide mutexes, held by the primary. Each lock has at most one holder
// and a FIFO queue of waiters. A holder is named by a token, so an unlock that
// comes after the ttl (or the holder's death) already freed the lock is a no-op.

/** Who asks: a worker (its code), or the primary itself (code null). Locks die with the pid. */
export interface Owner {
  pid: number;
  code: string | null;
}

interface Holder {
  owner: Owner;
  token: number;
  timer: NodeJS.Timeout | undefined;
}

interface Waiter {
  owner: Owner;
  ttl: number;
  timer: NodeJS.Timeout | undefined;
  grant(token: number): void;
  fail(error: HerdError): void;
}

interface Lock {
  holder: Holder | undefined;
  waiters: Set<Waiter>;
}

export class LockTable {
  readonly #locks = new Map<string, Lock>();
  #nextToken = 1;

  /**
   * Grants the lock now or once it is free, in arrival order (`grant` gets the
   * token); `fail` gets ERR_HERD_LOCK_TIMEOUT after `wait` ms. `ttl` 0: held until unlocked.
   */
  acquire(name: string, owner: Owner, wait: number, ttl: number, grant: (token: number) => void, fail: (error: HerdError) => void): void {
    let lock = this.#locks.get(name);
    if (!lock) this.#locks.set(name, (lock = { holder: undefined, waiters: new Set() }));
    if (!lock.holder) return grant(this.#hold(name, lock, owner, ttl));
    if (wait === 0) return fail(timeout(name, wait, lock.holder.owner));
    const waiter: Waiter = { owner, ttl, timer: undefined, grant, fail };
    waiter.timer = setTimeout(() => {
      lock.waiters.delete(waiter);
      fail(timeout(name, wait, lock.holder?.owner));
    }, wait);
    lock.waiters.add(waiter);
  }

  /** Frees the lock if `token` still holds it, and hands it to the next waiter. */
  release(name: string, token: number): boolean {
    const lock = this.#locks.get(name);
    if (!lock?.holder || lock.holder.token !== token) return false;
    clearTimeout(lock.holder.timer);
    lock.holder = undefined;
    this.#next(name, lock);
    return true;
  }

  /** A process died: it holds nothing and waits for nothing any more. */
  releaseOwner(pid: number): void {
    for (const [name, lock] of this.#locks) {
      for (const w of lock.waiters) {
        if (w.owner.pid === pid) {
          clearTimeout(w.timer);
          lock.waiters.delete(w);
        }
      }
      if (lock.holder?.owner.pid === pid) this.release(name, lock.holder.token);
      else if (!lock.holder && lock.waiters.size === 0) this.#locks.delete(name);
    }
  }

  /** Locks held or waited for, for tests that check nothing leaks. */
  get size(): number {
    return this.#locks.size;
  }

  /** The herd stops: every timer goes, waiters get `error(name)`. */
  clear(error: (name: string) => HerdError): void {
    const locks = [...this.#locks];
    this.#locks.clear();
    for (const [name, lock] of locks) {
      clearTimeout(lock.holder?.timer);
      for (const w of lock.waiters) {
        clearTimeout(w.timer);
        w.fail(error(name));
      }
    }
  }

  #hold(name: string, lock: Lock, owner: Owner, ttl: number): number {
    const token = this.#nextToken++;
    const holder: Holder = { owner, token, timer: undefined };
    // A holder that hangs gives the lock up after ttl ms; its later unlock finds another token.
    if (ttl > 0) holder.timer = setTimeout(() => this.release(name, token), ttl);
    lock.holder = holder;
    return token;
  }

  #next(name: string, lock: Lock): void {
    const first = lock.waiters.values().next();
    if (first.done) {
      this.#locks.delete(name);
      return;
    }
    const waiter = first.value;
    lock.waiters.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.grant(this.#hold(name, lock, waiter.owner, waiter.ttl));
  }
}

function timeout(name: string, wait: number, holder: Owner | undefined): HerdError {
  const by = holder ? ` (held by ${holder.code === null ? 'the primary' : `worker ${holder.code}`}, pid ${holder.pid})` : '';
  return new HerdError('ERR_HERD_LOCK_TIMEOUT', `lock(${JSON.stringify(name)}): not acquired within ${wait} ms${by}`);
}
