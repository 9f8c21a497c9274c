import { deserializeError, serializeError } from '../errors.js';
import type { Supervisor } from '../primary/supervisor.js';
import type { WorkerRecord } from '../primary/registry.js';
import {
  dispatch, isHerdMessage, message,
  type Handlers as VerbTable, type HerdMessage, type MapEntry, type Outcome, type Route, type Sender, type StateOp,
} from '../shared/protocol.js';
import { callHost, serveState } from '../state/host.js';
import { installEngine, checkTarget, unknownTarget, type Engine, type RequestMode } from './engine.js';
import { Handlers } from './handlers.js';
import { ACK_WINDOW, Outbox } from './outbox.js';
import { allReady, currentWorkers, Requests, type Reply } from './requests.js';
import { reviveEntries } from './worker.js';
import { splitTarget, type LocalSide, type Remote } from './remote.js';
import { encodeFrame } from '../shared/wire.js';
import { CHANNEL_FD } from '../shared/env.js';
import type { Writable } from 'node:stream';

// The router in the primary: relays worker messages (keeping each pair's
// order: one outbox per worker), runs the primary's own handlers, and hands
// consume and map to ./requests.ts (picking, redelivery, timeouts).

/** Estimated bytes the primary keeps in flight to one worker; beyond it, senders get no ack and wait. */
const WINDOW = 4 * 1024 * 1024;

interface Context {
  record: WorkerRecord;
  /** Holds the sender's ack until the returned callback runs (a relayed message was written). */
  hold(): () => void;
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
  readonly #requests: Requests;
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
    this.#requests = new Requests({
      supervisor,
      listening: this.#listening,
      push: (record, msg) => this.#push(record, msg, 0),
      remote: () => this.#remote,
    });
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
    supervisor.on('stopping', () => this.#requests.stopAll());
    supervisor.on('worker-exit', (info) => {
      for (const record of [...this.#outboxes.keys(), ...this.#requests.workers(), ...this.#listening.keys()]) {
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
    return new Promise((resolve) => this.#requests.consume(event, args, 0, from, resolve));
  }

  gather(event: string, args: unknown[], timeout: number, from: Sender): Promise<MapEntry[]> {
    return new Promise((resolve) => this.#requests.map(event, args, timeout, from, (outcome) => resolve(outcome.ok ? outcome.value as MapEntry[] : [])));
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
    return currentWorkers(this.#supervisor).map((r) => ({ code: r.code, pid: r.pid, state: r.state }));
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

  request(mode: RequestMode, event: string, args: unknown[], _size: number, timeout: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const reply: Reply = (outcome) => {
        if (!outcome.ok) return reject(deserializeError(outcome.error));
        resolve(mode === 'map' ? reviveEntries(outcome.value as MapEntry[]) : outcome.value);
      };
      if (mode === 'consume') this.#requests.consumeAnywhere(event, args, timeout, this.#self, reply);
      else this.#requests.mapEverywhere(event, args, timeout, this.#self, reply);
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
      if (msg.mode === 'consume') this.#requests.consumeAnywhere(msg.event, msg.args, msg.timeout, this.#sender(record), reply);
      else this.#requests.mapEverywhere(msg.event, msg.args, msg.timeout, this.#sender(record), reply);
    },
    reply: (msg) => this.#requests.settle(msg.id, msg.outcome),
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
      if (msg.on) this.#requests.listenerAdded(msg.event);
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
      const pipe = record.handle?.process.stdio[CHANNEL_FD] as Writable | null | undefined;
      outbox = new Outbox({
        get connected() {
          return record.state !== 'exited' && pipe?.writable === true;
        },
        send(msg, done) {
          pipe!.write(encodeFrame(msg), () => done());
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
    this.#requests.forget(record);
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
      const complete = allReady(this.#supervisor);
      for (const record of live) this.#push(record, message('peers', { peers, codes, complete }), 0);
    });
  }

  /** Open calls and waiting consumes, for tests that check nothing leaks. */
  get openCalls(): number {
    return this.#requests.open;
  }
}

/** 'h1/B' on host h1 is B. */
function local(target: string | number): string | number {
  return splitTarget(target)?.[1] ?? target;
}

/** Called by start(): the primary's channel talks to this supervisor's workers. */
export function bindPrimaryChannel(supervisor: Supervisor): PrimaryRouter {
  return installEngine((previous) => new PrimaryRouter(supervisor, previous)) as PrimaryRouter;
}
