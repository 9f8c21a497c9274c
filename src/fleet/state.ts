import { randomUUID } from 'node:crypto';
import v8 from 'node:v8';
import { HerdError } from '../errors.js';
import type { StateOp } from '../shared/protocol.js';
import { failure, revive, wellFormed, type Answer, type StateBackend } from '../state/host.js';
import type { Owner } from '../state/locks.js';
import type { Bus } from './bus.js';
import type { Keys } from './keys.js';
import { BUFFERS, type RedisClient } from './redis.js';

// The shared state in Redis, for every host of the fleet: the same operations
// as the primary's own store (src/state/host.ts). A value is kept as V8 bytes,
// except a finite number, kept as decimal text so INCRBY/INCRBYFLOAT (atomic in
// Redis) work on it. A lock is a key holding its holder's token with a short
// lease that the holder's host renews while the holder lives; release and
// renewal compare the token (fencing: a holder whose lease ran out cannot free
// or extend another's lock).

/** How long a call waits for Redis before ERR_HERD_REDIS_UNAVAILABLE. */
export const STATE_TIMEOUT = 2000;
/** A held lock lives this long without renewal: the bound on a dead host's locks. */
export const LOCK_LEASE = 5000;
const RENEW_EVERY = Math.floor(LOCK_LEASE / 3);
/** Waiters try again at least this often (a lease may run out without a release message). */
const LOCK_POLL = 200;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

interface Holder {
  name: string;
  token: string;
  owner: Owner;
  /** Date.now() after which a `ttl` lock is freed; Infinity without ttl. */
  until: number;
  timer: NodeJS.Timeout | undefined;
}

interface Waiter {
  owner: Owner;
  ttl: number;
  deadline: number;
  gone: boolean;
  /** Its SET NX is on the wire. */
  trying: boolean;
  wait: number;
  timer: NodeJS.Timeout | undefined;
  grant(token: number): void;
  fail(error: HerdError): void;
}

type Op<K extends StateOp['op']> = Extract<StateOp, { op: K }>;

export class RedisState implements StateBackend {
  readonly #cmd: RedisClient;
  readonly #ready: (ms: number) => Promise<boolean>;
  readonly #keys: Keys;
  readonly #bus: Bus;
  readonly #instance = randomUUID();
  #nextToken = 1;
  readonly #held = new Map<number, Holder>();
  /** This host's waiters per lock, in arrival order; the first one tries. */
  readonly #queues = new Map<string, Waiter[]>();
  readonly #retry = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(cmd: RedisClient, ready: (ms: number) => Promise<boolean>, keys: Keys, bus: Bus) {
    this.#cmd = cmd;
    this.#ready = ready;
    this.#keys = keys;
    this.#bus = bus;
  }

  run(op: StateOp, owner: Owner, answer: Answer): void {
    if (!wellFormed(op)) return answer(failure(new HerdError('ERR_HERD_INVALID_ARGUMENT', `malformed shared-state operation ${JSON.stringify(op?.op)}`)), 0);
    if (op.op === 'lock') return this.#lock(op, owner, answer);
    if (op.op === 'unlock') {
      answer({ ok: true, value: this.#release(op.token) }, 0);
      return;
    }
    this.#store(op).then((value) => answer({ ok: true, value }, 0), (error: unknown) => answer(failure(error), 0));
  }

  call(op: StateOp, owner: Owner): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.run(op, owner, (outcome) => (outcome.ok ? resolve(outcome.value) : reject(revive(outcome.error))));
    });
  }

  releaseOwner(pid: number): void {
    for (const [token, holder] of this.#held) if (holder.owner.pid === pid) this.#release(token);
    for (const [name, queue] of this.#queues) {
      for (const w of queue) if (w.owner.pid === pid) this.#drop(w);
      this.#pump(name);
    }
  }

  close(): void {
    this.#closed = true;
    for (const token of [...this.#held.keys()]) this.#release(token);
    for (const queue of this.#queues.values()) {
      for (const w of [...queue]) {
        this.#drop(w);
        w.fail(new HerdError('ERR_HERD_STOPPING', 'lock(): the herd is stopping'));
      }
    }
    for (const timer of this.#retry.values()) clearTimeout(timer);
  }

  /** Another host released `name`: our first waiter tries now. */
  released(name: string): void {
    if (this.#queues.has(name)) this.#pump(name);
  }

  // The store.

  async #store(op: Exclude<StateOp, Op<'lock'> | Op<'unlock'>>): Promise<unknown> {
    switch (op.op) {
      case 'get': {
        const bytes = await this.#command<Buffer | null>(['GET', this.#keys.store(op.key)], true);
        return bytes === null ? undefined : decodeValue(bytes);
      }
      case 'set': {
        const value = op.encoded ? Buffer.from(op.value as Uint8Array) : encodeValue(op.value);
        await this.#command(['SET', this.#keys.store(op.key), value, ...(op.ttl > 0 ? ['PX', String(op.ttl)] : [])]);
        return undefined;
      }
      case 'delete':
        return (await this.#command<number>(['DEL', this.#keys.store(op.key)])) === 1;
      case 'incr':
        return this.#incr(op.key, op.by);
      case 'keys':
        return this.#scan(op.prefix);
      case 'expire': {
        const key = this.#keys.store(op.key);
        return (await this.#command<number>(op.ttl > 0 ? ['PEXPIRE', key, String(op.ttl)] : ['PERSIST', key])) === 1
          || (op.ttl === 0 && (await this.#command<number>(['EXISTS', key])) === 1);
      }
    }
  }

  async #incr(key: string, by: number): Promise<number> {
    const k = this.#keys.store(key);
    try {
      // INCRBY and INCRBYFLOAT keep the key's ttl, as the primary's store does.
      if (Number.isSafeInteger(by)) {
        try {
          return Number(await this.#command(['INCRBY', k, String(by)]));
        } catch (error) {
          if (!/not an integer/.test((error as Error).message)) throw error;
        }
      }
      return Number(await this.#command(['INCRBYFLOAT', k, String(by)]));
    } catch (error) {
      if (/not an integer|not a valid float/.test((error as Error).message)) {
        throw new HerdError('ERR_HERD_NOT_A_NUMBER', `store.incr(${JSON.stringify(key)}): the value is not a number`);
      }
      throw error;
    }
  }

  async #scan(prefix: string): Promise<string[]> {
    const base = this.#keys.storePrefix;
    const match = `${glob(base + prefix)}*`;
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.#command<[string, string[]]>(['SCAN', cursor, 'MATCH', match, 'COUNT', '1000']);
      for (const k of keys) out.push(k.slice(base.length));
      cursor = next;
    } while (cursor !== '0');
    return out;
  }

  /** One command; waits up to STATE_TIMEOUT for Redis, then rejects with ERR_HERD_REDIS_UNAVAILABLE. */
  async #command<T>(args: Array<string | Buffer>, buffers = false): Promise<T> {
    const started = Date.now();
    if (!(await this.#ready(STATE_TIMEOUT))) throw unavailable(`Redis is not reachable (waited ${STATE_TIMEOUT} ms)`);
    try {
      return await this.#cmd.sendCommand<T>(args, { timeout: Math.max(STATE_TIMEOUT - (Date.now() - started), 1), ...(buffers ? { typeMapping: BUFFERS } : {}) });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if (/^OOM /.test(message)) throw new HerdError('ERR_HERD_STORE_FULL', `Redis is out of memory (maxmemory): ${message}`);
      if (/ERR|WRONGTYPE/.test(message.slice(0, 10))) throw error;
      throw unavailable(message);
    }
  }

  // The locks.

  #lock(op: Op<'lock'>, owner: Owner, answer: Answer): void {
    if (this.#closed) return answer(failure(new HerdError('ERR_HERD_STOPPING', 'lock(): the herd is stopping')), 0);
    const waiter: Waiter = {
      owner, ttl: op.ttl, deadline: Date.now() + op.wait, gone: false, trying: false, wait: op.wait, timer: undefined,
      grant: (token) => answer({ ok: true, value: token }, 0),
      fail: (error) => answer(failure(error), 0),
    };
    const name = op.name;
    if (op.wait > 0) {
      waiter.timer = setTimeout(() => {
        this.#drop(waiter);
        waiter.fail(new HerdError('ERR_HERD_LOCK_TIMEOUT', `lock(${JSON.stringify(name)}): not acquired within ${op.wait} ms`));
        this.#pump(name);
      }, op.wait);
    }
    let queue = this.#queues.get(name);
    if (!queue) this.#queues.set(name, (queue = []));
    queue.push(waiter);
    if (queue.length === 1) this.#pump(name);
  }

  #drop(waiter: Waiter): void {
    waiter.gone = true;
    clearTimeout(waiter.timer);
  }

  /** The first waiter for `name` on this host tries to take it. */
  #pump(name: string): void {
    clearTimeout(this.#retry.get(name));
    this.#retry.delete(name);
    const queue = this.#queues.get(name);
    while (queue?.[0]?.gone) queue.shift();
    const waiter = queue?.[0];
    if (!queue || !waiter) {
      this.#queues.delete(name);
      return;
    }
    if (waiter.trying) return;
    waiter.trying = true;
    const token = `${this.#instance}:${this.#nextToken++}`;
    const until = waiter.ttl > 0 ? Date.now() + waiter.ttl : Infinity;
    const lease = Math.min(LOCK_LEASE, until - Date.now());
    this.#command<string | null>(['SET', this.#keys.lock(name), token, 'NX', 'PX', String(Math.max(lease, 1))]).then((ok) => {
      waiter.trying = false;
      if (ok === null) {
        if (waiter.gone) return this.#pump(name);
        if (Date.now() >= waiter.deadline) {
          queue.shift();
          this.#drop(waiter);
          waiter.fail(new HerdError('ERR_HERD_LOCK_TIMEOUT', `lock(${JSON.stringify(name)}): not acquired within ${waiter.wait} ms (held on this or another host)`));
          return this.#pump(name);
        }
        this.#retry.set(name, setTimeout(() => this.#pump(name), LOCK_POLL));
        return;
      }
      queue.shift();
      const local = this.#nextToken++;
      const holder: Holder = { name, token, owner: waiter.owner, until, timer: undefined };
      this.#held.set(local, holder);
      this.#renewLater(local, holder);
      if (waiter.gone) this.#release(local);
      else {
        this.#drop(waiter);
        waiter.grant(local);
      }
      // The next one here waits for this one (or another host's) release.
      if (queue.length > 0) this.#retry.set(name, setTimeout(() => this.#pump(name), LOCK_POLL));
      else this.#queues.delete(name);
    }, (error: unknown) => {
      waiter.trying = false;
      queue.shift();
      this.#drop(waiter);
      waiter.fail(error as HerdError);
      this.#pump(name);
    });
  }

  #renewLater(local: number, holder: Holder): void {
    holder.timer = setTimeout(() => {
      const left = holder.until - Date.now();
      // A `ttl` lock is not renewed past its ttl: Redis frees it then.
      if (left <= 0 || this.#held.get(local) !== holder) {
        this.#held.delete(local);
        return;
      }
      const lease = Math.min(LOCK_LEASE, left);
      this.#cmd.sendCommand(['EVAL', RENEW, '1', this.#keys.lock(holder.name), holder.token, String(lease)]).then((ok) => {
        // Lost (the lease ran out while Redis or this host stalled): not ours any more.
        if (ok === 0) this.#held.delete(local);
      }, () => {});
      if (this.#held.get(local) === holder) this.#renewLater(local, holder);
    }, Math.min(RENEW_EVERY, Math.max(holder.until - Date.now(), 1)));
    holder.timer.unref();
  }

  /** Frees the lock if `local` still holds it; true if it did. */
  #release(local: number): boolean {
    const holder = this.#held.get(local);
    if (!holder) return false;
    this.#held.delete(local);
    clearTimeout(holder.timer);
    const { name } = holder;
    this.#cmd.sendCommand(['EVAL', RELEASE, '1', this.#keys.lock(name), holder.token]).then((n) => {
      if (n === 1) this.#bus.send(null, { t: 'unlocked', name });
      this.#pump(name);
    }, () => this.#pump(name));
    return true;
  }
}

/** What `get` answers: V8 bytes as `[bytes, true]` (the caller deserializes), a number as `[n, false]`. */
function decodeValue(bytes: Buffer): [unknown, boolean] {
  // V8's serialization starts with its version tag, 0xFF; decimal text never does.
  if (bytes[0] === 0xff) return [bytes, true];
  return [Number(bytes.toString()), false];
}

function encodeValue(value: unknown): Buffer | string {
  if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return String(value);
  return v8.serialize(value);
}

function glob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function unavailable(why: string): HerdError {
  return new HerdError('ERR_HERD_REDIS_UNAVAILABLE', `the shared state is in Redis, which is unreachable: ${why}`);
}
