import { AsyncLocalStorage } from 'node:async_hooks';
import { currentEngine } from '../channel/engine.js';
import { describe, isPlainObject } from '../config/validate.js';
import { HerdError } from '../errors.js';
import type { StateOp } from '../shared/protocol.js';
import { runtime } from '../shared/runtime.js';
import { decode, encode } from './values.js';

// The public `store` and `lock`: arguments checked and values encoded here, at
// the caller, where errors belong; one operation is one message to the primary
// (in a worker, through the channel's outbox, so one worker's calls keep their order).

export interface SetOptions {
  /** ms until the key is deleted (a positive integer); without it the key stays until deleted. */
  ttl?: number;
}

export interface LockOptions {
  /** ms to wait for the lock before rejecting with ERR_HERD_LOCK_TIMEOUT (default 10000; 0: only if free now). */
  wait?: number;
  /** ms after which the lock is freed even if `fn` has not settled (default: never). */
  ttl?: number;
}

export const DEFAULT_LOCK_WAIT = 10_000;
const MAX_TIMER = 2 ** 31 - 1;
/** Estimated bytes of an operation beside its key and value, for the channel's flow control. */
const OP_BYTES = 48;

export class Store {
  /** The value, or undefined when there is no such key (or it expired). */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    checkKey('get', key);
    return decode(await call({ op: 'get', key }, key.length + OP_BYTES)) as T | undefined;
  }

  /** Stores a copy of `value` (structured-clone data); replaces the key's value and ttl. */
  async set(key: string, value: unknown, options?: SetOptions): Promise<void> {
    checkKey('set', key);
    const ttl = setTtl(key, options);
    const wire = encode(`store.set(${JSON.stringify(key)})`, value);
    await call({ op: 'set', key, ttl, ...wire }, key.length + wire.size + OP_BYTES);
  }

  /** True if the key existed. */
  async delete(key: string): Promise<boolean> {
    checkKey('delete', key);
    return (await call({ op: 'delete', key }, key.length + OP_BYTES)) as boolean;
  }

  /** Adds `by` to the number at `key` (a missing key counts as 0), atomically; the new number. */
  async incr(key: string, by = 1): Promise<number> {
    checkKey('incr', key);
    if (typeof by !== 'number' || !Number.isFinite(by)) {
      throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `store.incr(${JSON.stringify(key)}, by): \`by\` must be a finite number, received ${describe(by)}`);
    }
    return (await call({ op: 'incr', key, by }, key.length + OP_BYTES)) as number;
  }

  /** Every live key that starts with `prefix` (all keys without one). */
  async keys(prefix = ''): Promise<string[]> {
    if (typeof prefix !== 'string') {
      throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `store.keys(prefix): \`prefix\` must be a string, received ${describe(prefix)}`);
    }
    return (await call({ op: 'keys', prefix }, prefix.length + OP_BYTES)) as string[];
  }
}

/** The one store of the herd. */
export const store: Store = new Store();

/**
 * Runs `fn` while holding the cluster-wide lock `name`; resolves with what `fn`
 * returns. Waiters are served in arrival order.
 */
export async function lock<T>(name: string, fn: () => T | PromiseLike<T>, options?: LockOptions): Promise<Awaited<T>> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `lock(name, fn): \`name\` must be a non-empty string, received ${describe(name)}`);
  }
  if (typeof fn !== 'function') {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `lock(${JSON.stringify(name)}, fn): \`fn\` must be a function, received ${describe(fn)}`);
  }
  const { wait, ttl } = lockOptions(name, options);
  const context = held();
  const chain = context.getStore();
  // Waiting for a lock this call chain holds would wait for itself until `wait` runs out.
  if (chain?.some((h) => h.name === name && !h.released)) {
    throw new HerdError('ERR_HERD_LOCK_REENTRANT', `lock(${JSON.stringify(name)}) was called while this call already holds "${name}": herd locks are not re-entrant`);
  }
  const token = (await call({ op: 'lock', name, wait, ttl }, name.length + OP_BYTES)) as number;
  const mine: Held = { name, released: false };
  try {
    return await context.run(chain ? [...chain, mine] : [mine], fn);
  } finally {
    mine.released = true;
    // Nothing to wait for: the primary frees it in order, and a dead herd has no locks.
    call({ op: 'unlock', name, token }, name.length + OP_BYTES).catch(() => {});
  }
}

/** Sets a key's ttl without reading or writing its value (for SessionStore.touch); false if there is no such key. */
export async function expire(key: string, ttl: number): Promise<boolean> {
  checkKey('expire', key);
  return (await call({ op: 'expire', key, ttl }, key.length + OP_BYTES)) as boolean;
}

interface Held {
  name: string;
  /** Set once fn settled: code it scheduled may outlive the lock and take it again. */
  released: boolean;
}

/** The locks the current async call chain holds; on runtime() so both builds of herd share it. */
function held(): AsyncLocalStorage<Held[]> {
  const ext = runtime().extensions;
  let als = ext.get('state.held') as AsyncLocalStorage<Held[]> | undefined;
  if (!als) ext.set('state.held', (als = new AsyncLocalStorage()));
  return als;
}

async function call(op: StateOp, size: number): Promise<unknown> {
  try {
    return await currentEngine().state(op, size);
  } catch (error) {
    // Errors come from the primary as plain data: give the caller a HerdError with its own stack.
    const { code, message } = error as { code?: unknown; message?: string };
    if (!(error instanceof HerdError) && typeof code === 'string' && code.startsWith('ERR_HERD_')) {
      throw new HerdError(code as HerdError['code'], message ?? code);
    }
    throw error;
  }
}

function checkKey(method: string, key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `store.${method}(key): \`key\` must be a non-empty string, received ${describe(key)}`);
  }
}

function setTtl(key: string, options: SetOptions | undefined): number {
  if (options === undefined) return 0;
  if (!isPlainObject(options) || Object.keys(options).some((k) => k !== 'ttl')) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `store.set(${JSON.stringify(key)}, value, options): \`options\` must be { ttl }, received ${describe(options)}`);
  }
  const { ttl } = options;
  if (ttl === undefined) return 0;
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 1) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `store.set(${JSON.stringify(key)}) \`ttl\` must be a positive integer (ms), received ${describe(ttl)}`);
  }
  return ttl;
}

function lockOptions(name: string, options: LockOptions | undefined): { wait: number; ttl: number } {
  if (options === undefined) return { wait: DEFAULT_LOCK_WAIT, ttl: 0 };
  const where = `lock(${JSON.stringify(name)}, fn, options)`;
  if (!isPlainObject(options) || Object.keys(options).some((k) => k !== 'wait' && k !== 'ttl')) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `${where}: \`options\` must be { wait, ttl }, received ${describe(options)}`);
  }
  const { wait = DEFAULT_LOCK_WAIT, ttl } = options;
  if (typeof wait !== 'number' || !Number.isInteger(wait) || wait < 0 || wait > MAX_TIMER) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `${where}: \`wait\` must be an integer from 0 to ${MAX_TIMER} (ms), received ${describe(wait)}`);
  }
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TIMER)) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `${where}: \`ttl\` must be an integer from 1 to ${MAX_TIMER} (ms), received ${describe(ttl)}`);
  }
  return { wait, ttl: ttl ?? 0 };
}
