import { deserializeError, serializeError, type SerializedError } from '../errors.js';
import type { Supervisor } from '../primary/supervisor.js';
import type { WorkerRecord } from '../primary/registry.js';
import {
  dispatch, isHerdMessage, message,
  type Handlers as VerbTable, type HerdMessage, type MapEntry, type Outcome, type Route, type Sender, type StateOp,
} from '../shared/protocol.js';
import { Correlator } from '../shared/rpc.js';
import { callHost, serveState } from '../state/host.js';
import { installEngine, checkTarget, unknownTarget, type Engine, type RequestMode } from './engine.js';
import { Handlers } from './handlers.js';
import { ACK_WINDOW, Outbox } from './outbox.js';
import { reviveEntries } from './worker.js';
import { splitTarget, type LocalSide, type Remote } from './remote.js';
import { encode } from '../shared/wire.js';

// The router in the primary: relays worker messages (keeping each pair's
// order: one outbox per worker), runs the primary's own handlers, and owns
// consume and map (picking, redelivery, timeouts).

/** Estimated bytes the primary keeps in flight to one worker; beyond it, senders get no ack and wait. */
const WINDOW = 4 * 1024 * 1024;
/** How long a consume waits for some worker to listen (e.g. while the only one restarts). */
export const NO_LISTENER_WAIT = 5000;

/** Who asked a request: a worker (answered through its outbox) or the primary itself. */
type Reply = (outcome: Outcome) => void;

interface Context {
  record: WorkerRecord;
  /** Holds the sender's ack until the returned callback runs (a relayed message was written). */
  hold(): () => void;
}

interface Waiter {
  event: string;
  retry(): void;
  /** The herd is stopping: no listener will come. */
  stop(): void;
}

export class PrimaryRouter implements Engine, LocalSide {
  readonly isPrimary = true;
  readonly isWorker = false;
  readonly code = undefined;
  readonly #supervisor: Supervisor;
  readonly #handlers: Handlers;
  readonly #outboxes = new Map<WorkerRecord, Outbox>();
  readonly #listening = new Map<WorkerRecord, Set<string>>();
  readonly #senders = new WeakMap<WorkerRecord, Sender>();
  readonly #calls = new Correlator<Outcome>();
  /** Calls in flight at each worker, with what to do if it exits first. */
  readonly #callsAt = new Map<WorkerRecord, Map<number, () => void>>();
  readonly #waiters = new Set<Waiter>();
  readonly #turn = new Map<string, number>();
  readonly #self: Sender = { code: null, id: null, pid: process.pid };
  #peersScheduled = false;
  readonly #known = new WeakSet<WorkerRecord>();
  readonly #owed = new Map<WorkerRecord, number>();
  /** The other hosts of the fleet, when `redis` is set. */
  #remote: Remote | undefined;
  readonly #listeningListeners: Array<() => void> = [];

  constructor(supervisor: Supervisor, handlers = new Handlers()) {
    this.#supervisor = supervisor;
    this.#handlers = handlers;
    supervisor.on('worker-message', (record, msg) => {
      if (!isHerdMessage(msg)) return;
      if (!this.#known.has(record)) {
        this.#known.add(record);
        this.#schedulePeers();
      }
      let pending = 1;
      const written = (): void => {
        if (--pending === 0 && msg.verb === 'batch') this.#credit(record, msg.size);
      };
      dispatch(this.#table, msg, { record, hold: () => (pending++, written) });
      written();
    });
    supervisor.on('worker-ready', () => this.#schedulePeers());
    supervisor.on('stopping', () => {
      for (const waiter of [...this.#waiters]) waiter.stop();
    });
    supervisor.on('worker-exit', (info) => {
      for (const record of [...this.#outboxes.keys(), ...this.#callsAt.keys(), ...this.#listening.keys()]) {
        if (record.pid === info.pid) this.#forget(record);
      }
      this.#schedulePeers();
      this.#listeningChanged();
    });
  }

  handlers(): Handlers {
    return this.#handlers;
  }

  /** The primary's emit stays on this host. */
  emit(event: string, args: unknown[], size: number): boolean {
    let ok = true;
    for (const record of this.#audience()) ok = this.#push(record, message('deliver', { event, args, from: this.#self }), size) && ok;
    return ok;
  }

  emitTo(target: string | number, event: string, args: unknown[], size: number): boolean {
    checkTarget(target);
    const split = this.#elsewhere(target);
    if (split) {
      if (!this.#remote?.emitTo(split[0], split[1], event, args, this.#self)) throw unknownTarget(target, event);
      return true;
    }
    const record = this.#supervisor.registry.find(local(target));
    if (!record) throw unknownTarget(target, event);
    return this.#push(record, message('deliver', { event, args, from: this.#self }), size);
  }

  broadcast(event: string, args: unknown[], size: number): boolean {
    this.#remote?.broadcast(event, args, this.#self);
    return this.emit(event, args, size);
  }

  /** Called by the fleet: from now on, broadcast, emitTo, map and consume reach the other hosts too. */
  attachRemote(remote: Remote | undefined): void {
    this.#remote = remote;
  }

  // LocalSide: what the fleet asks of this host's workers.

  deliver(to: string | null, event: string, args: unknown[], from: Sender): boolean {
    if (to === null) {
      for (const record of this.#audience()) this.#push(record, message('deliver', { event, args, from }), 0);
      return true;
    }
    const record = this.#supervisor.registry.find(to);
    if (!record || record.state === 'exited') return false;
    this.#push(record, message('deliver', { event, args, from }), 0);
    return true;
  }

  run(event: string, args: unknown[], from: Sender): Promise<Outcome> {
    return new Promise((resolve) => this.#consume(event, args, 0, from, resolve));
  }

  gather(event: string, args: unknown[], timeout: number, from: Sender): Promise<MapEntry[]> {
    return new Promise((resolve) => this.#map(event, args, timeout, from, (outcome) => resolve(outcome.ok ? outcome.value as MapEntry[] : [])));
  }

  listening(): Set<string> {
    const out = new Set<string>();
    for (const [record, events] of this.#listening) {
      if (record.state === 'ready' || record.state === 'starting') for (const e of events) out.add(e);
    }
    return out;
  }

  onListening(listener: () => void): void {
    this.#listeningListeners.push(listener);
  }

  workers(): Array<{ code: string; pid: number; state: string }> {
    return this.#current().map((r) => ({ code: r.code, pid: r.pid, state: r.state }));
  }

  #listeningChanged(): void {
    for (const l of this.#listeningListeners) l();
  }

  /** A `host/code` target naming another host; a target naming this host is local. */
  #elsewhere(target: string | number): [string, string] | undefined {
    const split = splitTarget(target);
    if (!split || split[0] === this.#remote?.host) return undefined;
    return split;
  }

  /** Through the fleet's queue when another host can take it, else on this host. */
  #consumeAnywhere(event: string, args: unknown[], timeout: number, from: Sender, reply: Reply): void {
    const via = this.#remote?.consume(event, args, timeout, from);
    if (via) via.then(reply);
    else this.#consume(event, args, timeout, from, reply);
  }

  /** Every worker of this host, then (with a fleet) of every other host; entries carry `host` in a fleet. */
  #mapEverywhere(event: string, args: unknown[], timeout: number, from: Sender, reply: Reply): void {
    const remote = this.#remote;
    if (!remote) return this.#map(event, args, timeout, from, reply);
    const others = remote.map(event, args, timeout, from);
    this.#map(event, args, timeout, from, (outcome) => {
      const mine = outcome.ok ? (outcome.value as MapEntry[]).map((e) => ({ ...e, host: remote.host })) : [];
      void others.then((theirs) => reply({ ok: true, value: [...mine, ...theirs] }));
    });
  }

  request(mode: RequestMode, event: string, args: unknown[], _size: number, timeout: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const reply: Reply = (outcome) => {
        if (!outcome.ok) return reject(deserializeError(outcome.error));
        resolve(mode === 'map' ? reviveEntries(outcome.value as MapEntry[]) : outcome.value);
      };
      if (mode === 'consume') this.#consumeAnywhere(event, args, timeout, this.#self, reply);
      else this.#mapEverywhere(event, args, timeout, this.#self, reply);
    });
  }

  reload(): void {
    this.#supervisor.reload().catch(() => {});
  }

  state(op: StateOp): Promise<unknown> {
    return callHost(op, this.#self);
  }

  readonly #table: VerbTable<Context> = {
    batch: (msg, ctx) => {
      for (const m of msg.msgs) dispatch(this.#table, m, ctx);
    },
    send: (msg, ctx) => this.#relay(ctx, msg.event, msg.args, msg.to),
    request: (msg, ctx) => {
      const { record } = ctx;
      const reply: Reply = (outcome) => this.#push(record, message('result', { id: msg.id, outcome }), 0);
      if (msg.mode === 'consume') this.#consumeAnywhere(msg.event, msg.args, msg.timeout, this.#sender(record), reply);
      else this.#mapEverywhere(msg.event, msg.args, msg.timeout, this.#sender(record), reply);
    },
    reply: (msg) => {
      this.#calls.settle(msg.id, msg.outcome);
    },
    // A message that arrives after its worker's exit must not take a lock nobody will release.
    state: (msg, { record }) => {
      if (record.state === 'exited') return;
      serveState(msg.op, this.#sender(record), (outcome, size) => {
        if (msg.id !== 0) this.#push(record, message('result', { id: msg.id, outcome }), size);
      });
    },
    listen: (msg, ctx) => {
      let events = this.#listening.get(ctx.record);
      if (!events) this.#listening.set(ctx.record, (events = new Set()));
      if (msg.on) events.add(msg.event);
      else events.delete(msg.event);
      if (msg.on) for (const w of [...this.#waiters]) if (w.event === msg.event) w.retry();
      this.#listeningChanged();
    },
  };

  #relay(ctx: Context, event: string, args: unknown[], to: Route): void {
    const from = this.#sender(ctx.record);
    if (to.kind === 'primary') return this.#handlers.emit(event, args, from);
    const deliver = message('deliver', { event, args, from });
    if (to.kind === 'all') {
      this.#remote?.broadcast(event, args, from);
      for (const record of this.#audience()) this.#push(record, deliver, 0, ctx.hold());
      return;
    }
    const split = this.#elsewhere(to.target);
    const target = split ? undefined : this.#supervisor.registry.find(local(to.target));
    if (split && this.#remote?.emitTo(split[0], split[1], event, args, from)) return;
    if (!target) {
      const error = serializeError(unknownTarget(to.target, event));
      error.message += ' (it may have exited); the message was dropped';
      this.#push(ctx.record, message('undeliverable', { event, error }), 0);
      return;
    }
    this.#push(target, deliver, 0, ctx.hold());
  }

  /**
   * Exactly one listening worker runs it; if that worker exits first, another
   * one gets it. Settles once: with the handler's outcome, at the call's
   * `timeout` (0: none), or when the herd stops.
   */
  #consume(event: string, args: unknown[], timeout: number, from: Sender, reply: Reply): void {
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
      this.#push(target, message('call', { id, event, args, from }), 0);
    };
    attempt(false);
  }

  /** Every current worker runs it; a silent or exiting worker becomes an error entry. */
  #map(event: string, args: unknown[], timeout: number, from: Sender, reply: Reply): void {
    const targets = this.#current();
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
      this.#push(target, message('call', { id, event, args, from }), 0);
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
        if (!this.#complete()) return arm();
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

  /** Every slot's worker is up. */
  #complete(): boolean {
    return this.#supervisor.registry.activeSlots().every((s) => s.current?.state === 'ready');
  }

  /** One worker per slot: the generation that serves now. */
  #current(): WorkerRecord[] {
    const out: WorkerRecord[] = [];
    for (const slot of this.#supervisor.registry.activeSlots()) {
      const r = slot.current;
      if (r && r.state !== 'exited') out.push(r);
    }
    return out;
  }

  /** Everyone a broadcast reaches: every worker that is not leaving. */
  #audience(): WorkerRecord[] {
    return [...this.#supervisor.registry.live.values()].filter((r) => r.state === 'starting' || r.state === 'ready');
  }

  #sender(record: WorkerRecord): Sender {
    let s = this.#senders.get(record);
    if (!s) this.#senders.set(record, (s = { code: record.code, id: record.id, pid: record.pid }));
    return s;
  }

  #push(record: WorkerRecord, msg: HerdMessage, size: number, onWritten?: () => void): boolean {
    let outbox = this.#outboxes.get(record);
    if (!outbox) {
      if (record.state === 'exited') {
        onWritten?.();
        return true;
      }
      outbox = new Outbox({
        get connected() {
          return record.state !== 'exited' && record.handle?.process.connected === true;
        },
        send(msg, done) {
          record.handle!.process.send(encode(msg), undefined, undefined, () => done());
        },
      }, { window: WINDOW, credit: 'written', onDrain: () => this.#handlers.emit('drain', [], this.#self) });
      this.#outboxes.set(record, outbox);
    }
    return outbox.push(msg, size, onWritten);
  }

  // Acks are lazy: a worker only waits once ACK_WINDOW bytes are unacked, so
  // owing it less than a quarter of that costs nothing and saves a message per batch.
  #credit(record: WorkerRecord, size: number): void {
    const owed = (this.#owed.get(record) ?? 0) + size;
    if (owed < ACK_WINDOW / 4) {
      this.#owed.set(record, owed);
      return;
    }
    this.#owed.set(record, 0);
    this.#push(record, message('ack', { size: owed }), 0);
  }

  #forget(record: WorkerRecord): void {
    this.#owed.delete(record);
    this.#outboxes.delete(record);
    this.#listening.delete(record);
    const calls = this.#callsAt.get(record);
    this.#callsAt.delete(record);
    if (calls) for (const onExit of calls.values()) onExit();
  }

  // Peers change in bursts (a reload, a scale): one list per turn of the loop,
  // after the supervisor has put a new worker into its slot.
  #schedulePeers(): void {
    if (this.#peersScheduled) return;
    this.#peersScheduled = true;
    setImmediate(() => {
      this.#peersScheduled = false;
      const registry = this.#supervisor.registry;
      const live = [...registry.live.values()].filter((r) => r.state !== 'exited');
      const peers = live.map((r) => ({ code: r.code, id: r.id, pid: r.pid }));
      const slots = registry.activeSlots();
      const codes = slots.map((s) => s.code);
      const complete = this.#complete();
      for (const record of live) this.#push(record, message('peers', { peers, codes, complete }), 0);
    });
  }

  /** Open calls and waiting consumes, for tests that check nothing leaks. */
  get openCalls(): number {
    return this.#calls.size + this.#waiters.size;
  }
}

/** 'h1/B' on host h1 is B. */
function local(target: string | number): string | number {
  return splitTarget(target)?.[1] ?? target;
}

function failure(code: string, text: string): SerializedError {
  return { name: 'HerdError', message: text, code };
}

function stopping(event: string): SerializedError {
  return failure('ERR_HERD_STOPPING', `consume("${event}"): the herd is stopping`);
}

/** Called by start(): the primary's channel talks to this supervisor's workers. */
export function bindPrimaryChannel(supervisor: Supervisor): PrimaryRouter {
  return installEngine((previous) => new PrimaryRouter(supervisor, previous)) as PrimaryRouter;
}
