import { HerdError, serializeError } from '../errors.js';
import type { MapEntry, Sender, StateOp } from '../shared/protocol.js';
import { callHost } from '../state/host.js';
import { runtime } from '../shared/runtime.js';
import { cloneArgs } from './clone.js';
import { checkTarget, installEngine, unknownTarget, type Engine, type RequestMode } from './engine.js';
import { Handlers } from './handlers.js';
import { reviveEntries } from './worker.js';

// --single: a one-worker cluster inside one process. The app is worker A; the
// primary module's handlers (registered while it loads) are the primary side.
// Data is cloned as IPC would clone it, and delivered on a later tick, in order.

type Side = 'primary' | 'worker';

export class LocalEngine implements Engine {
  get isPrimary(): boolean {
    return this.#side() === 'primary';
  }

  get isWorker(): boolean {
    return this.#side() === 'worker';
  }

  get code(): string | undefined {
    return this.#side() === 'worker' ? 'A' : undefined;
  }

  readonly #sides: Record<Side, Handlers>;
  readonly #from: Record<Side, Sender> = {
    primary: { code: null, id: null, pid: process.pid },
    worker: { code: 'A', id: 0, pid: process.pid },
  };
  #queue: Array<() => void> = [];
  #readyFired = false;

  constructor(previous: Handlers | undefined) {
    this.#sides = { primary: previous ?? new Handlers(), worker: new Handlers() };
  }

  // The primary module loads while the role still says 'primary', the app
  // after; later, code running inside a primary-side handler is the primary.
  #side(): Side {
    return runtime().role === 'primary' || this.#sides.primary.current ? 'primary' : 'worker';
  }

  handlers(): Handlers {
    return this.#sides[this.#side()];
  }

  emit(event: string, args: unknown[]): boolean {
    const side = this.#side();
    // A worker's emit goes to the primary; the primary's to every worker.
    this.#later(side === 'worker' ? 'primary' : 'worker', event, args, this.#from[side]);
    return true;
  }

  emitTo(target: string | number, event: string, args: unknown[]): boolean {
    checkTarget(target);
    if (target !== 'A' && target !== 0 && target !== process.pid) throw unknownTarget(target, event);
    this.#later('worker', event, args, this.#from[this.#side()]);
    return true;
  }

  broadcast(event: string, args: unknown[]): boolean {
    this.#later('worker', event, args, this.#from[this.#side()]);
    return true;
  }

  request(mode: RequestMode, event: string, args: unknown[], _size: number, timeout: number): Promise<unknown> {
    const copy = cloneArgs(args);
    const from = this.#from[this.#side()];
    const worker = this.#sides.worker;
    return new Promise((resolve, reject) => {
      this.#enqueue(() => {
        const run = worker.call(event, copy, from).then((value) => cloneArgs(value));
        if (mode === 'consume') {
          const timer = timeout > 0
            ? setTimeout(() => reject(new HerdError('ERR_HERD_TIMEOUT', `consume("${event}") got no answer within ${timeout} ms`)), timeout)
            : undefined;
          return void run.then(resolve, reject).finally(() => clearTimeout(timer));
        }
        const entry = (e: MapEntry): void => {
          clearTimeout(timer);
          resolve(reviveEntries([e]));
        };
        const timer = setTimeout(() => entry({ code: 'A', error: serializeError(new HerdError('ERR_HERD_TIMEOUT', `worker A did not answer "${event}" within ${timeout} ms`)) }), timeout);
        run.then((value) => entry({ code: 'A', value }), (error: unknown) => entry({ code: 'A', error: serializeError(error) }));
      });
    });
  }

  reload(): void {
    process.emitWarning(new HerdError('ERR_HERD_UNSUPPORTED', 'channel.reload() is not available with --single: the app runs inside the primary'));
  }

  state(op: StateOp): Promise<unknown> {
    return callHost(op, this.#from[this.#side()]);
  }

  /** The app is ready: in a one-worker cluster that makes every worker addressable. */
  fireReady(): void {
    if (this.#readyFired) return;
    this.#readyFired = true;
    this.#enqueue(() => this.#sides.worker.emit('ready', [], this.#from.worker));
  }

  #later(to: Side, event: string, args: unknown[], from: Sender): void {
    const copy = cloneArgs(args);
    this.#enqueue(() => this.#sides[to].emit(event, copy, from));
  }

  #enqueue(task: () => void): void {
    this.#queue.push(task);
    if (this.#queue.length > 1) return;
    setImmediate(() => {
      const tasks = this.#queue;
      this.#queue = [];
      for (const t of tasks) t();
    });
  }
}

export function bindLocalChannel(): LocalEngine {
  return installEngine((previous) => new LocalEngine(previous)) as LocalEngine;
}
