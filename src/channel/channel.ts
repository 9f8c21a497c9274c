import { HerdError } from '../errors.js';
import { checkCloneable } from './clone.js';
import { currentEngine, type Engine, type RequestMode } from './engine.js';
import { checkEvent, type MessageInfo } from './handlers.js';

// The public `channel`: validation and types here, the work in the engine of
// this process (src/channel/engine.ts).

/** Events and their handler signatures, for `channel.typed<Events>()` (an interface works too). */
export type EventMap<E = Record<string, unknown>> = { [K in keyof E]: (...args: any[]) => unknown };
type DefaultEvents = Record<string, (...args: any[]) => any>;
/** Events the channel fires locally: never sent. */
interface LocalEvents {
  /** Every worker of the current generation can be addressed by code. */
  ready: () => void;
  /** Messages held back by backpressure (emit returned false) have gone out. */
  drain: () => void;
}
const LOCAL = new Set(['ready', 'drain']);

type Key<E> = keyof E & string;
type Args<E, K extends keyof E> = E[K] extends (...args: infer A) => unknown ? A : never;
type Returned<E, K extends keyof E> = E[K] extends (...args: any[]) => infer R ? Awaited<R> : never;
type Handler<E, K extends keyof E> = (this: MessageInfo, ...args: Args<E, K>) => unknown;

export interface RequestOptions {
  /**
   * map: ms each worker may take before its entry becomes an ERR_HERD_TIMEOUT error (default 5000).
   * consume: ms the whole call may take before it rejects with ERR_HERD_TIMEOUT (default: no limit).
   */
  timeout?: number;
}
/** The options of map (and consume). */
export type MapOptions = RequestOptions;
/** One worker's answer; `host` is set in a fleet (docs/many-hosts.md). */
export type MapEntry<T> = { code: string; host?: string; value: T; error?: undefined } | { code: string; host?: string; error: Error; value?: undefined };

export const DEFAULT_MAP_TIMEOUT = 5000;
const MAX_TIMEOUT = 2 ** 31 - 1;

export class Channel<E extends EventMap<E> = DefaultEvents> {
  get isPrimary(): boolean {
    return currentEngine().isPrimary;
  }

  /** Alias of isPrimary (ThinkJS, Cool-Node). */
  get isMaster(): boolean {
    return this.isPrimary;
  }

  get isWorker(): boolean {
    return currentEngine().isWorker;
  }

  /** This worker's stable code (A, B, …); undefined in the primary. */
  get code(): string | undefined {
    return currentEngine().code;
  }

  /** Who sent the message being handled, while a handler runs synchronously; also its `this.from`. */
  get sender(): MessageInfo['from'] | undefined {
    return currentEngine().handlers().current?.from;
  }

  on<K extends Key<E & LocalEvents>>(event: K, handler: Handler<E & LocalEvents, K>): this {
    currentEngine().handlers().add(event, handler, false);
    return this;
  }

  once<K extends Key<E & LocalEvents>>(event: K, handler: Handler<E & LocalEvents, K>): this {
    currentEngine().handlers().add(event, handler, true);
    return this;
  }

  off<K extends Key<E & LocalEvents>>(event: K, handler: Handler<E & LocalEvents, K>): this {
    currentEngine().handlers().remove(event, handler);
    return this;
  }

  /** From a worker: to the primary. From the primary: to every worker. False: wait for 'drain'. */
  emit<K extends Key<E>>(event: K, ...data: Args<E, K>): boolean {
    const size = checkSend(event, data);
    return currentEngine().emit(event, data, size);
  }

  /** To one worker, by code, cluster worker id or pid. */
  emitTo<K extends Key<E>>(target: string | number, event: K, ...data: Args<E, K>): boolean {
    const size = checkSend(event, data);
    return currentEngine().emitTo(target, event, data, size);
  }

  /** To every worker, the sender included. */
  broadcast<K extends Key<E>>(event: K, ...data: Args<E, K>): boolean {
    const size = checkSend(event, data);
    return currentEngine().broadcast(event, data, size);
  }

  /**
   * One listening worker runs its handler; resolves with what it returned. The
   * last argument may be `{ timeout }`: the whole call's deadline (waiting for a
   * listener included), after which it rejects with ERR_HERD_TIMEOUT.
   */
  consume<K extends Key<E>>(event: K, ...data: Args<E, K> | [...Args<E, K>, RequestOptions]): Promise<Returned<E, K>> {
    return request(currentEngine(), 'consume', event, data, 0) as Promise<Returned<E, K>>;
  }

  /** Every worker runs its handler; one entry per worker. The last argument may be `{ timeout }`. */
  map<K extends Key<E>>(event: K, ...data: Args<E, K> | [...Args<E, K>, RequestOptions]): Promise<Array<MapEntry<Returned<E, K>>>> {
    return request(currentEngine(), 'map', event, data, DEFAULT_MAP_TIMEOUT) as Promise<Array<MapEntry<Returned<E, K>>>>;
  }

  /** Asks the primary for a rolling reload. */
  reload(): void {
    currentEngine().reload();
  }

  /** The same channel, typed with your event map: `channel.typed<{ job(n: number): string }>()`. */
  typed<T extends EventMap<T>>(): Channel<T> {
    return this as unknown as Channel<T>;
  }
}

function checkSend(event: unknown, data: unknown[]): number {
  checkEvent(event);
  if (LOCAL.has(event)) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `"${event}" is a local channel event and cannot be sent`);
  }
  return checkCloneable(event, data);
}

// Async APIs reject rather than throw. A trailing `{ timeout }` is the call's option, not data.
function request(engine: Engine, mode: RequestMode, event: unknown, data: unknown[], timeout: number): Promise<unknown> {
  let size: number;
  try {
    const last = data[data.length - 1];
    if (isRequestOptions(last)) {
      data = data.slice(0, -1);
      if (last.timeout !== undefined) {
        if (!Number.isInteger(last.timeout) || last.timeout < 1 || last.timeout > MAX_TIMEOUT) {
          throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `${mode}("${String(event)}") \`timeout\` must be an integer from 1 to ${MAX_TIMEOUT} (ms), received ${String(last.timeout)}`);
        }
        timeout = last.timeout;
      }
    }
    size = checkSend(event, data);
  } catch (error) {
    return Promise.reject(error);
  }
  return engine.request(mode, event as string, data, size, timeout);
}

function isRequestOptions(value: unknown): value is RequestOptions {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'timeout';
}

/** The one channel of this process. */
export const channel: Channel = new Channel();
export type { MessageInfo };
