import cluster from 'node:cluster';
import type net from 'node:net';
import { isHerdMessage, message, type ConnMessage, type HerdMessage, type ServedMessage } from '../shared/protocol.js';

// The worker's half of herd's accept path. node's net calls
// cluster._getServer(server, options, cb) for every listen in a cluster
// worker; for TCP we ask the herd primary instead of node's, and answer net
// with a handle shaped like node's round-robin one (lib/internal/cluster/
// child.js rr()): the primary listens, the worker receives each connection's
// handle and feeds it to the server as if it had accepted it.

type GetServer = (obj: net.Server, options: ListenQuery, cb: (errno: number, handle: FakeHandle | null) => void) => void;

interface ListenQuery {
  address: string | null;
  port: number;
  addressType: number | string;
  fd?: number;
  flags?: number;
  backlog?: number;
  ipv6Only?: boolean;
}

interface FakeHandle {
  /** Set by net's _listen2: node's onconnection(err, clientHandle). */
  onconnection?: (err: number, client: unknown) => void;
  close(): void;
  listen(): number;
  ref(): void;
  unref(): void;
  getsockname(out: object): number;
}

interface Served {
  server: net.Server;
  handle: FakeHandle;
}

interface RawClient {
  close(): void;
  readStart(): number;
  readStop(): number;
  _consumed?: boolean;
}

/**
 * The server gets the connection at once (its 'connection' handlers run), but
 * the socket's reads wait: net's readStart and readStop on this handle are
 * recorded, and the last word is applied when `release` runs.
 */
function holdReads(client: RawClient): () => void {
  let wanted = false;
  client.readStart = () => {
    wanted = true;
    return 0;
  };
  client.readStop = () => {
    wanted = false;
    return 0;
  };
  return () => {
    // The prototype's methods again.
    delete (client as Partial<RawClient>).readStart;
    delete (client as Partial<RawClient>).readStop;
    // A socket destroyed meanwhile closed its handle; nothing is left to read.
    if (wanted && (client as { fd?: number }).fd !== -1) client.readStart();
  };
}

// libuv's UV_TCP_IPV6ONLY.
const TCP_IPV6ONLY = 1;

const served = new Map<string, Served>();
const counted = new WeakSet<net.Server>();
const replies = new Map<number, (msg: ServedMessage) => void>();
// The nth listen on one address in this worker shares the primary's nth socket
// there: listen(0) gives every worker the same port, as node:cluster does.
const indexes = new Map<string, { next: number; open: Set<number> }>();
let nextId = 0;
/** Sends to the primary; `written` runs once the message is in the IPC pipe (or the channel is gone). */
export type AcceptTransport = (msg: HerdMessage, written: () => void) => void;
let send: AcceptTransport = (_msg, written) => written();

// Taken and refused connections are reported once a tick, and a taken one is
// read from only once that report is written into the pipe: a connection the
// primary has no word of when this worker dies is then one it never read, and
// the primary may deal it again. (A busy pipe makes the write asynchronous:
// reading before it completes could lose the report with the request already
// consumed, and the connection dealt again would wait for it forever.) Closed
// connections (for least-connections and status) go in batches within REPORT_MS.
const REPORT_MS = 10;
const pending = { accepted: [] as number[], refused: [] as number[], closed: 0, reads: [] as Array<() => void> };
let reportTimer: NodeJS.Timeout | undefined;
let reportQueued = false;

function report(): void {
  clearTimeout(reportTimer);
  reportTimer = undefined;
  reportQueued = false;
  const { accepted, refused, closed, reads } = pending;
  if (accepted.length === 0 && refused.length === 0 && closed === 0) return;
  pending.accepted = [];
  pending.refused = [];
  pending.closed = 0;
  pending.reads = [];
  send(message('conns', { accepted, refused, closed }), () => {
    for (const release of reads) release();
  });
}

function reportThisTick(): void {
  if (reportQueued) return;
  reportQueued = true;
  process.nextTick(report);
}

function reportClosedSoon(): void {
  if (reportTimer !== undefined || reportQueued) return;
  reportTimer = setTimeout(report, REPORT_MS);
  reportTimer.unref();
}

function isTcp(options: ListenQuery): boolean {
  return (options.addressType === 4 || options.addressType === 6) && options.port >= 0 && typeof options.fd !== 'number';
}

function getServer(obj: net.Server, options: ListenQuery, cb: (errno: number, handle: FakeHandle | null) => void): void {
  const address = options.address ?? null;
  const indexKey = `${address}:${options.port}:${options.addressType}`;
  let index = indexes.get(indexKey);
  if (!index) {
    index = { next: 0, open: new Set() };
    indexes.set(indexKey, index);
  }
  const n = index.next++;
  index.open.add(n);
  const forget = (): void => {
    index.open.delete(n);
    if (index.open.size === 0) indexes.delete(indexKey);
  };

  const id = ++nextId;
  replies.set(id, (reply) => {
    if (reply.errno !== 0 || reply.sockname === null) {
      forget();
      return cb(reply.errno || -98, null);
    }
    const key = reply.key;
    let open = true;
    let keepAlive: NodeJS.Timeout | undefined;
    const handle: FakeHandle = {
      close() {
        if (!open) return;
        open = false;
        handle.unref();
        served.delete(key);
        forget();
        send(message('unserve', { key }), () => {});
      },
      listen: () => 0,
      // net refs and unrefs the server through its handle; an interval stands in for the socket.
      ref() {
        keepAlive ??= setInterval(() => {}, 2 ** 31 - 1);
      },
      unref() {
        clearInterval(keepAlive);
        keepAlive = undefined;
      },
      getsockname(out: object) {
        if (open) Object.assign(out, reply.sockname);
        return 0;
      },
    };
    handle.ref();
    served.set(key, { server: obj, handle });
    // Closed connections are counted for least-connections.
    if (!counted.has(obj)) {
      counted.add(obj);
      obj.on('connection', (socket: net.Socket) => {
        socket.once('close', () => {
          pending.closed++;
          reportClosedSoon();
        });
      });
    }
    cb(0, handle);
  });
  send(message('serve', {
    id,
    at: {
      address,
      port: options.port,
      addressType: Number(options.addressType),
      backlog: options.backlog ?? 511,
      ipv6Only: Boolean(options.ipv6Only) || ((options.flags ?? 0) & TCP_IPV6ONLY) !== 0,
      index: n,
    },
  }), () => {});
}

function onConn(msg: ConnMessage, client: RawClient | undefined): void {
  const target = served.get(msg.key);
  const server = target?.server as (net.Server & { _connections: number }) | undefined;
  const full = server !== undefined && server.maxConnections > 0 && server._connections >= server.maxConnections;
  if (!client || !target || !target.handle.onconnection || full) {
    pending.refused.push(msg.seq);
    reportThisTick();
    client?.close();
    return;
  }
  pending.accepted.push(msg.seq);
  pending.reads.push(holdReads(client));
  reportThisTick();
  if (msg.head && msg.head.length > 0) {
    const head = Buffer.from(msg.head.buffer, msg.head.byteOffset, msg.head.byteLength);
    // http would read this socket straight from C++ (parser.consume) and miss
    // the bytes the primary read; marked consumed, it reads through the stream.
    client._consumed = true;
    server!.prependOnceListener('connection', (socket: net.Socket) => socket.unshift(head));
  }
  target.handle.onconnection(0, client);
}

/** Routes this worker's TCP listens through the herd primary. */
export function installAcceptPath(transport: AcceptTransport): void {
  send = transport;
  const c = cluster as unknown as { _getServer: GetServer };
  const original = c._getServer;
  c._getServer = function herdGetServer(obj, options, cb) {
    if (!isTcp(options)) return original.call(this, obj, options, cb);
    return getServer(obj, options, cb);
  };
  process.on('message', (msg: unknown, handle: unknown) => {
    if (!isHerdMessage(msg)) return;
    if (msg.verb === 'served') {
      const reply = replies.get(msg.id);
      replies.delete(msg.id);
      reply?.(msg);
    } else if (msg.verb === 'conn') onConn(msg, handle as RawClient | undefined);
  });
}
