import { HerdError } from '../errors.js';
import type { Sender } from '../shared/protocol.js';

// The handlers of one process (or, with --single, of one side). Tells its
// owner when an event gains its first handler or loses its last, so the
// primary knows which workers can take a consume.

/** What a handler sees as `this`, and `channel.sender` while it runs. */
export interface MessageInfo {
  event: string;
  from: Sender;
}

export type AnyHandler = (this: MessageInfo, ...args: any[]) => unknown;

interface Registered {
  fn: AnyHandler;
  once: boolean;
}

export class Handlers {
  readonly #byEvent = new Map<string, Registered[]>();
  #current: MessageInfo | undefined;
  /** Called with (event, true) on the first handler, (event, false) after the last is gone. */
  onChange: ((event: string, on: boolean) => void) | undefined;

  add(event: string, fn: AnyHandler, once: boolean): void {
    checkEvent(event);
    if (typeof fn !== 'function') {
      throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `channel handler for "${event}" must be a function, received ${typeof fn}`);
    }
    let list = this.#byEvent.get(event);
    if (!list) {
      list = [];
      this.#byEvent.set(event, list);
    }
    list.push({ fn, once });
    if (list.length === 1) this.onChange?.(event, true);
  }

  remove(event: string, fn: AnyHandler): void {
    checkEvent(event);
    const list = this.#byEvent.get(event);
    if (!list) return;
    const i = list.findIndex((r) => r.fn === fn);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) {
      this.#byEvent.delete(event);
      this.onChange?.(event, false);
    }
  }

  has(event: string): boolean {
    return this.#byEvent.has(event);
  }

  events(): string[] {
    return [...this.#byEvent.keys()];
  }

  /** The handler running right now, for `channel.sender`. */
  get current(): MessageInfo | undefined {
    return this.#current;
  }

  /** Runs every handler for `event`; a throwing handler is reported and does not stop the others. */
  emit(event: string, args: unknown[], from: Sender): void {
    const list = this.#byEvent.get(event);
    if (!list) return;
    for (const r of [...list]) this.#run(r, event, args, from, true);
  }

  /** Runs the first handler for `event` and returns its outcome (consume and map). */
  async call(event: string, args: unknown[], from: Sender): Promise<unknown> {
    const first = this.#byEvent.get(event)?.[0];
    if (!first) throw new HerdError('ERR_HERD_NO_LISTENER', `no handler for "${event}" in this process`);
    return await this.#run(first, event, args, from, false);
  }

  #run(r: Registered, event: string, args: unknown[], from: Sender, report: boolean): unknown {
    if (r.once) this.remove(event, r.fn);
    const info: MessageInfo = { event, from };
    const outer = this.#current;
    this.#current = info;
    try {
      const result = r.fn.apply(info, args);
      // An async emit handler that rejects is the app's unhandled rejection, as with EventEmitter.
      return result;
    } catch (error) {
      if (!report) throw error;
      // As with EventEmitter: a throwing handler is the app's uncaught exception.
      queueMicrotask(() => { throw error; });
      return undefined;
    } finally {
      this.#current = outer;
    }
  }
}

export function checkEvent(event: unknown): asserts event is string {
  if (typeof event !== 'string' || event.length === 0) {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `channel event must be a non-empty string, received ${typeof event === 'string' ? '""' : typeof event}`);
  }
}
