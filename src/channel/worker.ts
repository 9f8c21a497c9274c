import { deserializeError, serializeError } from '../errors.js';
import { dispatch, isHerdMessage, message, type Handlers as VerbTable, type MapEntry, type Outcome, type Peer, type Sender, type StateOp } from '../shared/protocol.js';
import { Correlator } from '../shared/rpc.js';
import { runtime } from '../shared/runtime.js';
import { checkCloneable } from './clone.js';
import { checkTarget, installEngine, unknownTarget, type Engine, type RequestMode } from './engine.js';
import { Handlers } from './handlers.js';
import { ACK_WINDOW, Outbox, type Link } from './outbox.js';
import type { Duplex } from 'node:stream';
import { encodeFrame, FrameReader } from '../shared/wire.js';

// The channel inside a worker: everything goes to the primary through one
// outbox (so it keeps its order), answers come back by request id.


export class WorkerEngine implements Engine {
  readonly isPrimary = false;
  readonly isWorker = true;
  readonly code: string | undefined;
  readonly #handlers: Handlers;
  readonly #outbox: Outbox;
  readonly #requests = new Correlator<Outcome>();
  readonly #self: Sender;
  #peers: { ids: Set<number>; codes: Set<string> } | undefined;
  #readyFired = false;
  readonly #warned = new Set<string>();

  constructor(link: Link, code: string | undefined, handlers = new Handlers()) {
    this.code = code;
    this.#handlers = handlers;
    this.#self = { code: code ?? null, id: Number(process.env.NODE_UNIQUE_ID ?? 0), pid: process.pid };
    this.#outbox = new Outbox(link, {
      window: ACK_WINDOW,
      credit: 'acked',
      onDrain: () => this.#local('drain'),
      // The primary holds its ack only for messages it relays to workers.
      bare: (msg) => msg.verb !== 'send' || msg.to.kind === 'primary',
    });
    handlers.onChange = (event, on) => {
      if (event === 'ready' || event === 'drain') return;
      // At once, not batched: the worker's own 'ready' (sent straight by the
      // lifecycle) must not overtake it, or a consume right after could miss this worker.
      this.#outbox.sendNow(message('listen', { event, on }));
    };
    for (const event of handlers.events()) handlers.onChange(event, true);
  }

  handlers(): Handlers {
    return this.#handlers;
  }

  emit(event: string, args: unknown[], size: number): boolean {
    return this.#outbox.push(message('send', { event, args, to: { kind: 'primary' } }), size);
  }

  emitTo(target: string | number, event: string, args: unknown[], size: number): boolean {
    checkTarget(target);
    // Known peers let a wrong target fail here, at the caller; before the first
    // list arrives the primary reports it instead.
    const peers = this.#peers;
    // A target on another host ('web-2/B') is checked by the primary, which knows the fleet.
    const elsewhere = typeof target === 'string' && target.includes('/');
    if (peers && !elsewhere && !(typeof target === 'string' ? peers.codes.has(target) : peers.ids.has(target))) throw unknownTarget(target, event);
    return this.#outbox.push(message('send', { event, args, to: { kind: 'worker', target } }), size);
  }

  broadcast(event: string, args: unknown[], size: number): boolean {
    return this.#outbox.push(message('send', { event, args, to: { kind: 'all' } }), size);
  }

  request(mode: RequestMode, event: string, args: unknown[], size: number, timeout: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.#requests.open({
        settle: (outcome) => {
          if (!outcome.ok) return reject(deserializeError(outcome.error));
          resolve(mode === 'map' ? reviveEntries(outcome.value as MapEntry[]) : outcome.value);
        },
        expire: () => {},
      });
      this.#outbox.push(message('request', { id, mode, event, args, timeout }), size);
    });
  }

  state(op: StateOp, size: number): Promise<unknown> {
    // Nobody waits on an unlock: id 0 asks for no answer, one message less per lock.
    if (op.op === 'unlock') {
      this.#outbox.push(message('state', { id: 0, op }), size);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const id = this.#requests.open({
        settle: (outcome) => (outcome.ok ? resolve(outcome.value) : reject(deserializeError(outcome.error))),
        expire: () => {},
      });
      this.#outbox.push(message('state', { id, op }), size);
    });
  }

  reload(): void {
    // Straight to the supervisor, which handles the bare verb.
    runtime().toPrimary?.(message('reload', {}));
  }

  /** Handles a message from the primary; false when it is not the channel's. */
  receive(msg: unknown): boolean {
    return isHerdMessage(msg) && dispatch(this.#table, msg, undefined);
  }

  #local(event: 'ready' | 'drain'): void {
    this.#handlers.emit(event, [], this.#self);
  }

  readonly #table: VerbTable<undefined> = {
    batch: (msg) => {
      for (const m of msg.msgs) dispatch(this.#table, m, undefined);
    },
    ack: (msg) => this.#outbox.release(msg.size),
    deliver: (msg) => this.#handlers.emit(msg.event, msg.args, msg.from),
    call: (msg) => {
      this.#handlers.call(msg.event, msg.args, msg.from).then(
        (value) => {
          runtime().markServed?.();
          this.#reply(msg.id, msg.event, { ok: true, value });
        },
        (error: unknown) => this.#reply(msg.id, msg.event, { ok: false, error: serializeError(error) }),
      );
    },
    result: (msg) => {
      this.#requests.settle(msg.id, msg.outcome);
    },
    peers: (msg) => this.#onPeers(msg.peers, msg.codes, msg.complete),
    undeliverable: (msg) => {
      // One warning per event until the workers change, not one per dropped message.
      if (this.#warned.has(msg.event)) return;
      this.#warned.add(msg.event);
      process.emitWarning(deserializeError(msg.error));
    },
  };

  #reply(id: number, event: string, outcome: Outcome): void {
    let size = 0;
    if (outcome.ok) {
      try {
        size = checkCloneable(event, [outcome.value]);
      } catch (error) {
        outcome = { ok: false, error: serializeError(error) };
      }
    }
    this.#outbox.push(message('reply', { id, outcome }), size);
  }

  #onPeers(peers: Peer[], codes: string[], complete: boolean): void {
    const ids = new Set<number>();
    for (const p of peers) ids.add(p.id).add(p.pid);
    this.#peers = { ids, codes: new Set(codes) };
    this.#warned.clear();
    if (complete && !this.#readyFired) {
      this.#readyFired = true;
      // A replacement hears that its peers are complete before its app has
      // even loaded: its 'ready' handlers see the event once it is ready itself.
      const rt = runtime();
      if (rt.ready || rt.role !== 'worker') this.#local('ready');
      else rt.readyHooks.push(() => this.#local('ready'));
    }
  }
}

/** Errors cross the wire as plain objects; the caller gets Error instances back. */
export function reviveEntries(entries: MapEntry[]): unknown[] {
  return entries.map((e) => ('error' in e ? { ...e, error: deserializeError(e.error) } : e));
}

/**
 * Called by the preload: the worker's channel, on its own pipe to the primary
 * (src/shared/wire.ts). No pipe: a process forked by a worker's app, which has
 * herd's preload and environment but no channel; what it sends goes nowhere.
 */
export function installWorkerChannel(pipe: Duplex | undefined): WorkerEngine {
  const engine = installEngine((previous) => new WorkerEngine({
    get connected() {
      return pipe?.writable === true;
    },
    send: (msg, done) => {
      pipe!.write(encodeFrame(msg), () => done());
    },
  }, runtime().code, previous)) as WorkerEngine;
  if (!pipe) return engine;
  const reader = new FrameReader((msg) => engine.receive(msg));
  pipe.on('data', (chunk: Buffer) => reader.push(chunk));
  // The primary is gone: the IPC channel's disconnect ends the worker.
  pipe.on('error', () => {});
  return engine;
}
