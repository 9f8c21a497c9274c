import { HerdError } from '../errors.js';
import type { Sender, StateOp } from '../shared/protocol.js';
import { runtime } from '../shared/runtime.js';
import { Handlers, type MessageInfo } from './handlers.js';

// What the public `channel` delegates to. One engine per process, kept on
// runtime() so the ESM and the CJS build of herd share it: a worker engine
// (installed by the preload), the primary's router (bound by start()), the
// --single engine, or, outside herd, one that refuses to send.

export type RequestMode = 'consume' | 'map';

export interface Engine {
  readonly isPrimary: boolean;
  readonly isWorker: boolean;
  readonly code: string | undefined;
  /** The handlers of the side this call is made from. */
  handlers(): Handlers;
  emit(event: string, args: unknown[], size: number): boolean;
  emitTo(target: string | number, event: string, args: unknown[], size: number): boolean;
  broadcast(event: string, args: unknown[], size: number): boolean;
  /** consume resolves with the value; map with `{ code, value } | { code, error }` entries. */
  request(mode: RequestMode, event: string, args: unknown[], size: number, timeout: number): Promise<unknown>;
  reload(): void;
  /** A shared-state operation (src/state/), served by the primary; resolves with its raw answer. */
  state(op: StateOp, size: number): Promise<unknown>;
}

const KEY = 'channel';

export function currentEngine(): Engine {
  const rt = runtime();
  let engine = rt.extensions.get(KEY) as Engine | undefined;
  if (!engine) {
    engine = new OutsideEngine();
    rt.extensions.set(KEY, engine);
  }
  return engine;
}

/** Installs `make(handlers)` as this process's engine, keeping handlers registered before herd started. */
export function installEngine(make: (previous: Handlers | undefined) => Engine): Engine {
  const rt = runtime();
  const before = rt.extensions.get(KEY) as Engine | undefined;
  const engine = make(before instanceof OutsideEngine ? before.handlers() : undefined);
  rt.extensions.set(KEY, engine);
  return engine;
}

/** Plain `node app.js`: handlers can be registered, nothing can be sent. */
class OutsideEngine implements Engine {
  readonly isPrimary = false;
  readonly isWorker = false;
  readonly code = undefined;
  readonly #handlers = new Handlers();
  handlers(): Handlers {
    return this.#handlers;
  }
  emit(event: string): boolean {
    throw notInCluster(`emit("${event}")`);
  }
  emitTo(_target: string | number, event: string): boolean {
    throw notInCluster(`emitTo(…, "${event}")`);
  }
  broadcast(event: string): boolean {
    throw notInCluster(`broadcast("${event}")`);
  }
  request(mode: RequestMode, event: string): Promise<unknown> {
    return Promise.reject(notInCluster(`${mode}("${event}")`));
  }
  reload(): void {
    throw notInCluster('reload()');
  }
  state(op: StateOp): Promise<unknown> {
    const what = op.op === 'lock' || op.op === 'unlock' ? 'lock()' : `store.${op.op}()`;
    return Promise.reject(new HerdError('ERR_HERD_NOT_IN_CLUSTER', `${what} needs a running herd: start the app with \`herd start\``));
  }
}

function notInCluster(what: string): HerdError {
  return new HerdError('ERR_HERD_NOT_IN_CLUSTER', `channel.${what} needs a running herd: start the app with \`herd start\``);
}

export function unknownTarget(target: string | number, event: string): HerdError {
  return new HerdError('ERR_HERD_UNKNOWN_TARGET', `emitTo(${JSON.stringify(target)}, "${event}"): no worker has that code, id or pid`);
}

export function checkTarget(target: unknown): asserts target is string | number {
  const ok = (typeof target === 'string' && /^(?:[A-Za-z0-9][A-Za-z0-9._:-]*\/)?[A-Z]+$/.test(target)) || (typeof target === 'number' && Number.isInteger(target) && target >= 0);
  if (!ok) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `emitTo target must be a worker code (A, B, …), '<host>/<code>', a cluster worker id or a pid, received ${typeof target === 'string' ? JSON.stringify(target) : String(target)}`);
  }
}

export type { MessageInfo, Sender };
