import type { SerializedError } from '../errors.js';
import type { Supervisor } from '../primary/supervisor.js';
import type { WorkerRecord } from '../primary/registry.js';
import { message, type HerdMessage, type MapEntry, type Outcome, type Sender } from '../shared/protocol.js';
import { Correlator } from '../shared/rpc.js';
import type { Remote } from './remote.js';

// consume and map in the primary: which worker runs a call, what happens when
// it exits first or nobody listens yet, and, with a fleet, when another host
// takes it. The router (./primary.ts) relays; this file keeps the promises.

/** How long a consume waits for some worker to listen (e.g. while the only one restarts). */
export const NO_LISTENER_WAIT = 5000;

/** Who asked a request: a worker (answered through its outbox) or the primary itself. */
export type Reply = (outcome: Outcome) => void;

interface Waiter {
  event: string;
  retry(): void;
  /** The herd is stopping: no listener will come. */
  stop(): void;
}

export interface RequestsDeps {
  supervisor: Supervisor;
  /** The events each worker listens for (kept by the router from `listen` messages). */
  listening: Map<WorkerRecord, Set<string>>;
  /** Sends a message to a worker through its outbox. */
  push(record: WorkerRecord, msg: HerdMessage): void;
  /** The other hosts, when there is a fleet. */
  remote(): Remote | undefined;
}

export class Requests {
  readonly #supervisor: Supervisor;
  readonly #listening: Map<WorkerRecord, Set<string>>;
  readonly #push: (record: WorkerRecord, msg: HerdMessage) => void;
  readonly #remote: () => Remote | undefined;
  readonly #calls = new Correlator<Outcome>();
  /** Calls in flight at each worker, with what to do if it exits first. */
  readonly #callsAt = new Map<WorkerRecord, Map<number, () => void>>();
  readonly #waiters = new Set<Waiter>();
  readonly #turn = new Map<string, number>();

  constructor(deps: RequestsDeps) {
    this.#supervisor = deps.supervisor;
    this.#listening = deps.listening;
    this.#push = deps.push;
    this.#remote = deps.remote;
  }

  /** A worker answered call `id`. */
  settle(id: number, outcome: Outcome): void {
    this.#calls.settle(id, outcome);
  }

  /** Some worker now listens for `event`: consumes waiting for one try again. */
  listenerAdded(event: string): void {
    for (const w of [...this.#waiters]) if (w.event === event) w.retry();
  }

  /** The herd is stopping: waiting consumes fail with ERR_HERD_STOPPING. */
  stopAll(): void {
    for (const waiter of [...this.#waiters]) waiter.stop();
  }

  /** The worker exited: its calls go elsewhere (consume) or become errors (map). */
  forget(record: WorkerRecord): void {
    const calls = this.#callsAt.get(record);
    this.#callsAt.delete(record);
    if (calls) for (const onExit of calls.values()) onExit();
  }

  /** Workers with calls in flight. */
  workers(): WorkerRecord[] {
    return [...this.#callsAt.keys()];
  }

  /** Open calls and waiting consumes, for tests that check nothing leaks. */
  get open(): number {
    return this.#calls.size + this.#waiters.size;
  }

  /** Through the fleet's queue when another host can take it, else on this host. */
  consumeAnywhere(event: string, args: unknown[], timeout: number, from: Sender, reply: Reply): void {
    const via = this.#remote()?.consume(event, args, timeout, from);
    if (via) via.then(reply);
    else this.consume(event, args, timeout, from, reply);
  }

  /** Every worker of this host, then (with a fleet) of every other host; entries carry `host` in a fleet. */
  mapEverywhere(event: string, args: unknown[], timeout: number, from: Sender, reply: Reply): void {
    const remote = this.#remote();
    if (!remote) return this.map(event, args, timeout, from, reply);
    const others = remote.map(event, args, timeout, from);
    this.map(event, args, timeout, from, (outcome) => {
      const mine = outcome.ok ? (outcome.value as MapEntry[]).map((e) => ({ ...e, host: remote.host })) : [];
      void others.then((theirs) => reply({ ok: true, value: [...mine, ...theirs] }));
    });
  }

  /**
   * Exactly one listening worker runs it; if that worker exits first, another
   * one gets it. Settles once: with the handler's outcome, at the call's
   * `timeout` (0: none), or when the herd stops.
   */
  consume(event: string, args: unknown[], timeout: number, from: Sender, reply: Reply): void {
    let settled = false;
    let cancelWait: (() => void) | undefined;
    const once: Reply = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      cancelWait?.();
      reply(outcome);
    };
    const deadline = timeout > 0
      ? setTimeout(() => once({ ok: false, error: failure('ERR_HERD_TIMEOUT', `consume("${event}") got no answer within ${timeout} ms`) }), timeout)
      : undefined;
    // `delivered`: a worker got it and exited before answering; it must not be
    // rejected for want of a listener, so it waits for one as long as the call may.
    const attempt = (delivered: boolean): void => {
      if (settled) return;
      if (this.#supervisor.stopping) return once({ ok: false, error: stopping(event) });
      const target = this.#pick(event);
      if (!target) {
        const limit = delivered || timeout > 0 ? 0 : NO_LISTENER_WAIT;
        cancelWait = this.#waitForListener(event, limit, () => attempt(delivered), once);
        return;
      }
      const id = this.#calls.open({
        settle: (outcome) => {
          this.#callsAt.get(target)?.delete(id);
          // The handler went away between the pick and the call: pick again.
          if (!outcome.ok && outcome.error.code === 'ERR_HERD_NO_LISTENER') return attempt(delivered);
          once(outcome);
        },
        expire: () => {},
      });
      this.#track(target, id, () => {
        this.#calls.drop(id);
        attempt(true);
      });
      this.#push(target, message('call', { id, event, args, from }));
    };
    attempt(false);
  }

  /** Every current worker runs it; a silent or exiting worker becomes an error entry. */
  map(event: string, args: unknown[], timeout: number, from: Sender, reply: Reply): void {
    const targets = currentWorkers(this.#supervisor);
    if (targets.length === 0) return reply({ ok: true, value: [] });
    const entries: MapEntry[] = new Array(targets.length);
    let left = targets.length;
    const fill = (i: number, entry: MapEntry): void => {
      entries[i] = entry;
      if (--left === 0) reply({ ok: true, value: entries });
    };
    targets.forEach((target, i) => {
      const { code } = target;
      const id = this.#calls.open({
        settle: (outcome) => {
          this.#callsAt.get(target)?.delete(id);
          fill(i, outcome.ok ? { code, value: outcome.value } : { code, error: outcome.error });
        },
        expire: () => {
          this.#callsAt.get(target)?.delete(id);
          fill(i, { code, error: failure('ERR_HERD_TIMEOUT', `worker ${code} did not answer "${event}" within ${timeout} ms`) });
        },
      }, timeout);
      this.#track(target, id, () => {
        this.#calls.settle(id, { ok: false, error: failure('ERR_HERD_WORKER_EXITED', `worker ${code} (pid ${target.pid}) exited before it answered "${event}"`) });
      });
      this.#push(target, message('call', { id, event, args, from }));
    });
  }

  /** Waits for a worker to listen for `event` (`limit` ms, 0: no limit of its own); returns a cancel. */
  #waitForListener(event: string, limit: number, retry: () => void, reply: Reply): () => void {
    const waiter: Waiter = {
      event,
      retry: () => {
        cancel();
        retry();
      },
      stop: () => {
        cancel();
        reply({ ok: false, error: stopping(event) });
      },
    };
    // "No listener" means every worker is up and none listens: while workers
    // (re)start, one of them may bring the listener, so the wait goes on.
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer = setTimeout(() => {
        if (!allReady(this.#supervisor)) return arm();
        this.#waiters.delete(waiter);
        reply({ ok: false, error: failure('ERR_HERD_NO_LISTENER', `consume("${event}"): no worker listened for "${event}" within ${limit} ms`) });
      }, limit);
    };
    if (limit > 0) arm();
    const cancel = (): void => {
      this.#waiters.delete(waiter);
      clearTimeout(timer);
    };
    this.#waiters.add(waiter);
    return cancel;
  }

  #track(record: WorkerRecord, id: number, onExit: () => void): void {
    let calls = this.#callsAt.get(record);
    if (!calls) this.#callsAt.set(record, (calls = new Map()));
    calls.set(id, onExit);
  }

  /** Round robin among workers that listen and are not leaving. */
  #pick(event: string): WorkerRecord | undefined {
    const candidates: WorkerRecord[] = [];
    for (const [record, events] of this.#listening) {
      if (events.has(event) && (record.state === 'ready' || record.state === 'starting')) candidates.push(record);
    }
    if (candidates.length === 0) return undefined;
    const turn = this.#turn.get(event) ?? 0;
    this.#turn.set(event, turn + 1);
    return candidates[turn % candidates.length];
  }
}

/** Every slot's worker is up. */
export function allReady(supervisor: Supervisor): boolean {
  return supervisor.registry.activeSlots().every((s) => s.current?.state === 'ready');
}

/** One worker per slot: the generation that serves now. */
export function currentWorkers(supervisor: Supervisor): WorkerRecord[] {
  const out: WorkerRecord[] = [];
  for (const slot of supervisor.registry.activeSlots()) {
    const r = slot.current;
    if (r && r.state !== 'exited') out.push(r);
  }
  return out;
}

function failure(code: string, text: string): SerializedError {
  return { name: 'HerdError', message: text, code };
}

function stopping(event: string): SerializedError {
  return failure('ERR_HERD_STOPPING', `consume("${event}"): the herd is stopping`);
}
