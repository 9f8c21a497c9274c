import { HerdError, type SerializedError } from '../errors.js';
import type { Outcome, StateOp } from '../shared/protocol.js';
import { runtime } from '../shared/runtime.js';
import { LockTable, type Owner } from './locks.js';
import { MemoryStore, type Stored } from './store.js';
import { copy } from './values.js';

// The shared state in the primary: one store and one lock table per herd,
// serving the operations of every worker (through the channel's router), of
// the primary module and of the app with --single (in process). It lives on
// runtime() so the ESM and CJS builds of herd in one process find the same one.

/** Answers one operation; `size` is the estimated bytes of the answer, for the channel's flow control. */
export type Answer = (outcome: Outcome, size: number) => void;
type Op<K extends StateOp['op']> = Extract<StateOp, { op: K }>;
type Table = { [K in StateOp['op']]: (op: Op<K>, owner: Owner, answer: Answer) => void };

/**
 * Where the shared state lives: in this primary (StateHost) or, with `redis`,
 * in Redis (src/fleet/state.ts). The router and the primary's own calls go
 * through this seam and never know which.
 */
export interface StateBackend {
  /** Runs one operation for `owner`; the answer may come later (a lock that is held). */
  run(op: StateOp, owner: Owner, answer: Answer): void;
  /** The same, for code in this process: a promise. */
  call(op: StateOp, owner: Owner): Promise<unknown>;
  /** A process died (SIGKILL included): its locks go to the next waiters. */
  releaseOwner(pid: number): void;
  /** The herd stops. */
  close(): void;
}

const KEY = 'state';
const MAX_TIMER = 2 ** 31 - 1;
const DONE: Outcome = { ok: true, value: undefined };

export class StateHost implements StateBackend {
  readonly store: MemoryStore;
  readonly locks = new LockTable();

  constructor(maxBytes: number) {
    this.store = new MemoryStore(maxBytes);
  }

  /** Runs one operation for `owner`; the answer may come later (a lock that is held). */
  run(op: StateOp, owner: Owner, answer: Answer): void {
    try {
      if (!wellFormed(op)) throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `malformed shared-state operation ${JSON.stringify(op?.op)}`);
      (this.#table[op.op] as (op: StateOp, owner: Owner, answer: Answer) => void)(op, owner, answer);
    } catch (error) {
      answer(failure(error), 0);
    }
  }

  /** The same, for code in this process: a promise. */
  call(op: StateOp, owner: Owner): Promise<unknown> {
    // No IPC copies the data here: copy it, so the caller and the store never share an object.
    if (op.op === 'set' && !op.encoded) op = { ...op, value: copy(op.value) };
    return new Promise((resolve, reject) => {
      this.run(op, owner, (outcome) => {
        if (!outcome.ok) return reject(revive(outcome.error));
        const stored = op.op === 'get' ? outcome.value as Stored | undefined : undefined;
        resolve(stored && !stored[1] ? [copy(stored[0]), false] : outcome.value);
      });
    });
  }

  /** A process died (SIGKILL included): its locks go to the next waiters. */
  releaseOwner(pid: number): void {
    this.locks.releaseOwner(pid);
  }

  /** The herd stops: the data is gone, in-process waiters are told. */
  close(): void {
    this.store.clear();
    this.locks.clear((name) => new HerdError('ERR_HERD_STOPPING', `lock(${JSON.stringify(name)}): the herd is stopping`));
  }

  readonly #table: Table = {
    get: (op, _owner, answer) => {
      const stored = this.store.get(op.key);
      answer({ ok: true, value: stored }, this.store.bytesOf(op.key));
    },
    set: (op, _owner, answer) => {
      this.store.set(op.key, op, op.ttl);
      answer(DONE, 0);
    },
    delete: (op, _owner, answer) => answer({ ok: true, value: this.store.delete(op.key) }, 0),
    incr: (op, _owner, answer) => answer({ ok: true, value: this.store.incr(op.key, op.by) }, 0),
    keys: (op, _owner, answer) => {
      const keys = this.store.keys(op.prefix);
      answer({ ok: true, value: keys }, keys.reduce((n, k) => n + k.length + 16, 0));
    },
    expire: (op, _owner, answer) => answer({ ok: true, value: this.store.expire(op.key, op.ttl) }, 0),
    lock: (op, owner, answer) => {
      this.locks.acquire(op.name, owner, op.wait, op.ttl, (token) => answer({ ok: true, value: token }, 0), (error) => answer(failure(error), 0));
    },
    unlock: (op, _owner, answer) => answer({ ok: true, value: this.locks.release(op.name, op.token) }, 0),
  };
}

/** The host of this process, if a herd runs here. */
export function currentHost(): StateBackend | undefined {
  return runtime().extensions.get(KEY) as StateBackend | undefined;
}

/** Called by start(), before the primary module loads. */
export function installHost(host: StateBackend): StateBackend {
  runtime().extensions.set(KEY, host);
  return host;
}

export function uninstallHost(host: StateBackend): void {
  host.close();
  if (currentHost() === host) runtime().extensions.delete(KEY);
}

/** For code in the primary's process (the primary module, the app with --single). */
export function callHost(op: StateOp, owner: Owner): Promise<unknown> {
  const host = currentHost();
  if (host) return host.call(op, owner);
  return Promise.reject(new HerdError('ERR_HERD_STOPPING', 'the herd is stopping: its shared state is gone'));
}

/** The router's entry point for a worker's operation. */
export function serveState(op: StateOp, owner: Owner, answer: Answer): void {
  const host = currentHost();
  if (host) host.run(op, owner, answer);
  else answer(failure(new HerdError('ERR_HERD_STOPPING', 'the herd is stopping: its shared state is gone')), 0);
}

// The primary's stack means nothing to the caller: the client rebuilds the error where it was called.
export function failure(error: unknown): Outcome {
  const e = error as { name?: string; message?: string; code?: string };
  const out: SerializedError = { name: e.name ?? 'Error', message: e.message ?? String(error) };
  if (typeof e.code === 'string') out.code = e.code;
  return { ok: false, error: out };
}

export function revive(error: SerializedError): Error {
  return Object.assign(new Error(error.message), { name: error.name, code: error.code });
}

// Workers validate before they send; this keeps a malformed message from reaching the data.
export function wellFormed(op: StateOp): boolean {
  if (typeof op !== 'object' || op === null) return false;
  switch (op.op) {
    case 'get':
    case 'delete':
      return typeof op.key === 'string';
    case 'set':
      return typeof op.key === 'string' && isMs(op.ttl) && isMs(op.size) && (!op.encoded || op.value instanceof Uint8Array);
    case 'incr':
      return typeof op.key === 'string' && typeof op.by === 'number';
    case 'keys':
      return typeof op.prefix === 'string';
    case 'expire':
      return typeof op.key === 'string' && isMs(op.ttl);
    case 'lock':
      return typeof op.name === 'string' && isMs(op.wait, MAX_TIMER) && isMs(op.ttl, MAX_TIMER);
    case 'unlock':
      return typeof op.name === 'string' && typeof op.token === 'number';
    default:
      return false;
  }
}

function isMs(n: unknown, max = Number.MAX_SAFE_INTEGER): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= max;
}
