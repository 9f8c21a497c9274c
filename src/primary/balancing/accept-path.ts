import net from 'node:net';
import type { Balancer as BalancerName } from '../../config/options.js';
import { dispatch, isHerdMessage, message, type ConnsMessage, type Handlers, type ServeMessage } from '../../shared/protocol.js';
import type { WorkerRecord } from '../registry.js';
import { LeastConnections, RoundRobin, Sticky, type Balancer } from './balancers.js';
import { headerKey, peekHead, peerAddress, type RawHandle } from './peek.js';

// herd's own accept path. The primary listens on every address a worker asks
// for (one socket per address, shared by all workers, as node's
// RoundRobinHandle does), accepts, and sends each connection's handle to the
// worker its balancer picks. Only ready workers get connections; while none
// is, connections wait (bounded in number and time) instead of being refused,
// so the port stays open for the herd's whole life.

// The most connections that wait for a ready worker; beyond it new ones are closed.
const MAX_WAITING = 1024;
// How long a dead worker's IPC channel may take to deliver its last messages.
const CHANNEL_END_MS = 1000;

interface Conn {
  handle: RawHandle;
  /** Bytes the primary read to find a sticky header, handed to the worker. */
  head: Buffer | null;
  key: string | null;
  /** Closes the primary's copy. */
  release(): void;
  timer?: NodeJS.Timeout;
}

interface Listener {
  key: string;
  handle: (RawHandle & { onconnection?: unknown; getsockname?(out: object): number }) | null;
  sockname: { address: string; family: string; port: number } | null;
  /** Serve requests waiting for the socket to bind. */
  binding: Array<(errno: number) => void> | null;
  waiting: Conn[];
}

interface Peer {
  readonly record: WorkerRecord;
  /** Connections handed over and not closed yet. */
  open: number;
  /** The listeners this worker serves. */
  readonly keys: Set<string>;
  /** Connections sent and not yet acknowledged: the primary keeps its copy to re-deal them. */
  readonly inflight: Map<number, { listener: Listener; conn: Conn }>;
  get id(): number;
}

export interface AcceptPathOptions {
  balancer: Exclude<BalancerName, 'os'>;
  /** Sticky by header: the header holding the client's address. */
  stickyHeader: string | undefined;
  /** How long a connection may wait for a ready worker, ms. */
  waitMs: number;
}

export function createBalancer(name: AcceptPathOptions['balancer']): Balancer {
  if (name === 'least-connections') return new LeastConnections();
  if (name === 'sticky') return new Sticky();
  return new RoundRobin();
}

export class AcceptPath {
  readonly #options: AcceptPathOptions;
  readonly #balancer: Balancer;
  readonly #listeners = new Map<string, Listener>();
  readonly #peers = new Map<number, Peer>();
  #seq = 0;
  #closed = false;

  constructor(options: AcceptPathOptions) {
    this.#options = options;
    this.#balancer = createBalancer(options.balancer);
  }

  /** Open connections a worker holds (handed over, not yet closed). */
  connections(id: number): number | undefined {
    return this.#peers.get(id)?.open;
  }

  #peer(record: WorkerRecord): Peer {
    let peer = this.#peers.get(record.id);
    if (!peer) {
      peer = { record, open: 0, keys: new Set(), inflight: new Map(), get id() { return record.id; } };
      this.#peers.set(record.id, peer);
    }
    return peer;
  }

  /** The worker messages of the accept path; anything else is left alone. */
  onMessage(record: WorkerRecord, msg: unknown): void {
    if (isHerdMessage(msg)) dispatch(this.#table, msg, record);
  }

  readonly #table: Handlers<WorkerRecord> = {
    serve: (msg, record) => this.onServe(record, msg),
    conns: (msg, record) => this.onConns(record, msg),
    unserve: (msg, record) => this.onUnserve(record, msg.key),
  };

  onServe(record: WorkerRecord, msg: ServeMessage): void {
    const { address, port, addressType, index } = msg.at;
    const key = `${address}:${port}:${addressType}:${index}`;
    const reply = (errno: number): void => {
      const listener = this.#listeners.get(key);
      if (errno === 0 && listener && record.state !== 'exited') this.#peer(record).keys.add(key);
      this.#send(record, message('served', { id: msg.id, key, errno, sockname: errno === 0 ? listener?.sockname ?? null : null }));
      // A worker that serves a second address once ready may take what waits there.
      if (errno === 0 && listener) this.#flush(listener);
    };
    // The herd is stopping: this worker is being stopped too, it need not serve.
    if (this.#closed) return;
    let listener = this.#listeners.get(key);
    if (!listener) {
      listener = this.#bind(key, msg.at);
      this.#listeners.set(key, listener);
    }
    if (listener.binding) listener.binding.push(reply);
    else reply(0);
  }

  #bind(key: string, at: ServeMessage['at']): Listener {
    const listener: Listener = { key, handle: null, sockname: null, binding: [], waiting: [] };
    const server = net.createServer();
    server.once('listening', () => {
      // As RoundRobinHandle: keep the raw handle, drop the server, take every accept.
      const handle = (server as unknown as { _handle: Listener['handle'] })._handle!;
      (server as unknown as { _handle: unknown })._handle = null;
      handle.onconnection = (err: number, client: RawHandle | undefined) => {
        if (!err && client) this.#accept(listener, client);
      };
      const out = {} as NonNullable<Listener['sockname']>;
      handle.getsockname?.(out);
      listener.handle = handle;
      listener.sockname = out;
      const waiting = listener.binding ?? [];
      listener.binding = null;
      for (const reply of waiting) reply(0);
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      this.#listeners.delete(key);
      const waiting = listener.binding ?? [];
      listener.binding = null;
      const errno = typeof error.errno === 'number' ? error.errno : -98; // EADDRINUSE
      for (const reply of waiting) reply(errno);
    });
    server.listen({ port: at.port, host: at.address ?? undefined, ipv6Only: at.ipv6Only, backlog: at.backlog || 511 });
    return listener;
  }

  onUnserve(record: WorkerRecord, key: string): void {
    this.#peers.get(record.id)?.keys.delete(key);
  }

  onConns(record: WorkerRecord, msg: ConnsMessage): void {
    const peer = this.#peers.get(record.id);
    if (!peer) return;
    for (const seq of msg.accepted) {
      const sent = peer.inflight.get(seq);
      if (!sent) continue;
      peer.inflight.delete(seq);
      sent.conn.release();
    }
    for (const seq of msg.refused) {
      const sent = peer.inflight.get(seq);
      if (!sent) continue;
      peer.inflight.delete(seq);
      peer.open--;
      // Worker is shutting down. Send to another.
      this.#deal(sent.listener, sent.conn);
    }
    peer.open = Math.max(0, peer.open - msg.closed);
  }

  /** A worker became ready: what waits goes to it (and the others). */
  onReady(): void {
    for (const listener of this.#listeners.values()) this.#flush(listener);
  }

  /**
   * A worker exited: the connections it never acknowledged go to another.
   * 'exit' can come before the last messages of its IPC channel are read, and
   * one of them may acknowledge a connection it went on to read from: dealt
   * again, that connection would wait for a request already consumed. So the
   * re-deal waits for the channel's end ('disconnect'), bounded in time.
   */
  onExit(record: WorkerRecord): void {
    const peer = this.#peers.get(record.id);
    if (!peer) return;
    this.#balancer.remove(record.id);
    const child = record.handle?.process;
    if (!child?.connected) return this.#retire(peer);
    const timer = setTimeout(() => this.#retire(peer), CHANNEL_END_MS);
    child.once('disconnect', () => {
      clearTimeout(timer);
      this.#retire(peer);
    });
  }

  #retire(peer: Peer): void {
    if (this.#peers.get(peer.id) !== peer) return;
    this.#peers.delete(peer.id);
    for (const { listener, conn } of peer.inflight.values()) this.#deal(listener, conn);
    peer.inflight.clear();
  }

  /** Asks every ready worker to send this share of its keep-alive clients back through the balancer. */
  shed(share: number): void {
    for (const peer of this.#peers.values()) {
      if (peer.record.state === 'ready') this.#send(peer.record, message('shed', { share }));
    }
  }

  /** The herd stops: the port closes, waiting connections are closed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#listeners.values()) {
      listener.handle?.close();
      listener.handle = null;
      for (const conn of listener.waiting.splice(0)) this.#drop(conn);
    }
  }

  #accept(listener: Listener, handle: RawHandle): void {
    if (this.#options.balancer !== 'sticky') {
      return this.#deal(listener, { handle, head: null, key: null, release: () => handle.close() });
    }
    const header = this.#options.stickyHeader;
    if (header === undefined) {
      return this.#deal(listener, { handle, head: null, key: peerAddress(handle), release: () => handle.close() });
    }
    const ip = peerAddress(handle);
    peekHead(handle, (peeked) => {
      if (!peeked) return;
      const key = (peeked.head && headerKey(peeked.head, header)) ?? ip;
      this.#deal(listener, { handle: peeked.handle, head: peeked.head, key, release: peeked.release });
    });
  }

  #candidates(listener: Listener): Peer[] {
    const out: Peer[] = [];
    for (const peer of this.#peers.values()) {
      // A worker whose channel closed is dying: its exit event may not have come yet.
      if (peer.record.state === 'ready' && peer.keys.has(listener.key) && peer.record.handle?.process.connected) out.push(peer);
    }
    return out;
  }

  #deal(listener: Listener, conn: Conn): void {
    if (this.#closed) return this.#drop(conn);
    const candidates = this.#candidates(listener);
    if (candidates.length === 0) return this.#wait(listener, conn);
    const peer = this.#balancer.pick(candidates, conn.key) as Peer;
    const seq = ++this.#seq;
    peer.inflight.set(seq, { listener, conn });
    peer.open++;
    const child = peer.record.handle!.process;
    child.send(message('conn', { key: listener.key, seq, head: conn.head }), conn.handle as never, undefined, (error) => {
      if (!error || !peer.inflight.has(seq)) return;
      peer.inflight.delete(seq);
      peer.open--;
      // A handle that cannot be sent (EBADF) never will be: dealt again it would spin.
      if ((error as NodeJS.ErrnoException).code === 'EBADF') return this.#drop(conn);
      // The worker's channel closed under us: take it back and deal again, after
      // pending I/O (this callback runs on nextTick; a loop here would starve it).
      setImmediate(() => this.#deal(listener, conn));
    });
  }

  #wait(listener: Listener, conn: Conn): void {
    if (listener.waiting.length >= MAX_WAITING) return this.#drop(conn);
    listener.waiting.push(conn);
    conn.timer = setTimeout(() => {
      const at = listener.waiting.indexOf(conn);
      if (at !== -1) listener.waiting.splice(at, 1);
      this.#drop(conn);
    }, this.#options.waitMs);
    conn.timer.unref();
  }

  #flush(listener: Listener): void {
    if (listener.waiting.length === 0 || this.#candidates(listener).length === 0) return;
    for (const conn of listener.waiting.splice(0)) {
      clearTimeout(conn.timer);
      this.#deal(listener, conn);
    }
  }

  #drop(conn: Conn): void {
    clearTimeout(conn.timer);
    conn.release();
  }

  #send(record: WorkerRecord, msg: ReturnType<typeof message>): void {
    const child = record.handle?.process;
    if (child?.connected) child.send(msg, undefined, undefined, () => {});
  }
}
