import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { ENV } from '../shared/env.js';

// Knows every server the app listens on, so the worker can tell the primary it
// is ready and can drain without dropping a request. net.Server.prototype.listen
// is the one place every server (http, https, express, fastify, koa, raw net)
// passes through.

// A keep-alive connection with no request in flight may still have a request on
// the wire. Closing it could drop that request, so an idle connection is only
// closed once it has stayed idle this long after draining began.
const IDLE_GRACE_MS = 1000;
// A worker that hit an uncaught error leaves faster: under load its busy
// connections get `Connection: close` within milliseconds anyway, and the
// processes of a herd whose app throws often must not pile up.
const FAILED_IDLE_GRACE_MS = IDLE_GRACE_MS;
let idleGrace = IDLE_GRACE_MS;
const SWEEP_MS = 50;
// Upgraded connections (WebSocket, long-lived streams) have no request boundary
// to close at: they stay until this share of shutdownTimeout has passed, then
// are closed so their clients reconnect to the new generation before the SIGKILL.
const UPGRADED_SHARE = 0.9;
const UPGRADED_GRACE_MS = 250;

interface Conn {
  active: number;
  idleSince: number;
  busySince: number;
  /** Its next response says Connection: close, so the client reconnects through the balancer. */
  shed: boolean;
}

/** The request whose handler is running (sync or async), for an uncaught error to answer it. */
const requestContext = new AsyncLocalStorage<http.ServerResponse>();
/** Responses herd answered with a 500 for the app: they do not show that the worker serves. */
const failed = new WeakSet<http.ServerResponse>();

interface Tracked {
  server: net.Server;
  conns: Map<net.Socket, Conn>;
  draining: boolean;
}

const tracked = new Set<Tracked>();
let onFirstListening: (() => void) | undefined;
let onFirstServed: (() => void) | undefined;
let installed = false;
/** Set once the worker drains: a server that starts listening later drains at once. */
let drainingAll = false;
// Counted here, without the app's help, for the stats and maxRequests.
let requests = 0;
let requestListener: ((count: number) => void) | undefined;

/** What the worker does about servers while it boots (the lifecycle tells the primary). */
export interface BootHooks {
  /** False once the worker is ready (a listening server or ready()). */
  booting(): boolean;
  /** The app called listen(); `target` is the port or path. */
  binding(target: string): void;
  /** A server emitted a listen error before it listened. */
  listenError(target: string, error: NodeJS.ErrnoException): void;
}
let boot: BootHooks | undefined;

/** `3000`, `127.0.0.1:3000`, `/tmp/app.sock`: what listen() was asked for, for messages. */
export function listenTarget(args: unknown[]): string {
  let [first, second] = args;
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    const o = first as { port?: unknown; host?: unknown; path?: unknown };
    if (o.path !== undefined) return String(o.path);
    first = o.port;
    second = o.host;
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return first;
  const port = first === undefined || first === null || typeof first === 'function' ? '0' : String(first);
  return typeof second === 'string' ? `${second}:${port}` : port;
}

const LISTEN_SYSCALLS = new Set(['listen', 'bind']);

function isHttp(server: net.Server): boolean {
  return server instanceof http.Server || server instanceof https.Server;
}

function watchBoot(server: net.Server, target: string): void {
  if (!boot?.booting()) return;
  boot.binding(target);
  // Only until it listens: later errors stay the app's (unhandled, they crash as before).
  const onError = (error: NodeJS.ErrnoException): void => {
    if (LISTEN_SYSCALLS.has(error.syscall ?? '') || error.code === 'EADDRINUSE' || error.code === 'EACCES') {
      boot?.listenError(target, error);
    }
  };
  server.on('error', onError);
  server.once('listening', () => server.off('error', onError));
}

function track(server: net.Server): void {
  for (const t of tracked) if (t.server === server) return;
  const t: Tracked = { server, conns: new Map(), draining: false };
  tracked.add(t);

  // https emits 'secureConnection' with the socket requests will carry.
  const connEvent = server instanceof https.Server ? 'secureConnection' : 'connection';
  server.on(connEvent, (socket: net.Socket) => {
    t.conns.set(socket, { active: 0, idleSince: Date.now(), busySince: 0, shed: false });
    socket.once('close', () => t.conns.delete(socket));
  });

  if (isHttp(server)) {
    // Prepended, so it runs before the app's handler can write headers.
    server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      requests++;
      requestListener?.(requests);
      // The app's handler runs next, in this context, and so does all it starts.
      requestContext.enterWith(res);
      const conn = t.conns.get(req.socket as net.Socket);
      if (conn && conn.active++ === 0) conn.busySince = Date.now();
      if (t.draining || conn?.shed) res.shouldKeepAlive = false;
      if (conn) conn.shed = false;
      if (onFirstServed) res.once('finish', () => { if (!failed.has(res)) onFirstServed?.(); });
      res.once('close', () => {
        if (!conn) return;
        conn.active--;
        conn.idleSince = Date.now();
      });
    });
  }

  server.once('listening', () => {
    onFirstListening?.();
    if (drainingAll) void drainOne(t);
  });
  server.once('close', () => tracked.delete(t));
}

/**
 * Patches net.Server.prototype.listen once; `listening` fires on the first
 * server that listens, `served` on the first response sent in full;
 * `hooks` hear about listen() calls until the worker is ready.
 */
export function installServerTracking(listening: () => void, served: () => void, hooks?: BootHooks): void {
  boot = hooks;
  onFirstListening = () => {
    onFirstListening = undefined;
    listening();
  };
  onFirstServed = () => {
    onFirstServed = undefined;
    served();
  };
  if (installed) return;
  installed = true;
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
    track(this);
    watchBoot(this, listenTarget(args));
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;
}

// http frees a connection's parser when it hands the socket to an 'upgrade' handler.
function isUpgraded(socket: net.Socket): boolean {
  return (socket as net.Socket & { parser?: unknown }).parser === null;
}

/** Requests received by every HTTP server since the worker started. */
export function requestCount(): number {
  return requests;
}

/** Connections open now, on every server. */
export function openConnections(): number {
  let n = 0;
  for (const t of tracked) n += t.conns.size;
  return n;
}

/** Called with the running count on every request (one listener: the heartbeat's). */
export function onRequest(listener: (count: number) => void): void {
  requestListener = listener;
}

function drainOne(t: Tracked): Promise<void> {
  t.draining = true;
  const { server } = t;
  // net's close, not http's: http.Server#close also drops idle keep-alive
  // connections at once, which may hold a request already on the wire.
  if (server.listening) net.Server.prototype.close.call(server);

  for (const [socket, conn] of t.conns) {
    // In-flight responses that have not sent headers yet will say Connection: close.
    if (conn.active > 0) {
      const res = (socket as net.Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
      if (res && !res.headersSent) res.shouldKeepAlive = false;
    }
  }

  const timeout = Number(process.env[ENV.SHUTDOWN_TIMEOUT] ?? 10_000);
  const closeUpgradedAt = Date.now() + timeout * UPGRADED_SHARE;
  return new Promise<void>((resolve) => {
    const sweep = (): void => {
      const now = Date.now();
      // Raw net servers have no request boundaries: their connections end on their own.
      if (isHttp(server)) {
        for (const [socket, conn] of t.conns) {
          if (isUpgraded(socket)) {
            if (now >= closeUpgradedAt && !socket.writableEnded) {
              socket.end();
              setTimeout(() => socket.destroy(), UPGRADED_GRACE_MS).unref();
            }
          } else if (conn.active === 0 && now - conn.idleSince >= idleGrace) socket.destroy();
        }
      }
      if (t.conns.size === 0) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(sweep, SWEEP_MS);
    sweep();
  });
}

/**
 * Workers were added: this share of the keep-alive connections answers its
 * next request with `Connection: close` (never cutting one), so those clients
 * reconnect and the balancer can send them to the new workers.
 */
export function shedConnections(share: number): void {
  for (const t of tracked) {
    if (!isHttp(t.server) || t.draining) continue;
    let count = Math.round(t.conns.size * share);
    for (const [socket, conn] of t.conns) {
      if (count-- <= 0) break;
      const res = (socket as net.Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
      // A response under way that has not sent its headers can say it at once.
      if (conn.active > 0 && res && !res.headersSent) res.shouldKeepAlive = false;
      else conn.shed = true;
    }
  }
}

/** Stops accepting, lets in-flight requests finish, closes keep-alive connections cleanly. */
export async function drainServers(failed = false): Promise<void> {
  if (failed) idleGrace = FAILED_IDLE_GRACE_MS;
  drainingAll = true;
  await Promise.all([...tracked].map(drainOne));
}

/**
 * An uncaught error hit while a request's handler ran: that request will never
 * be answered, so answer it now (500 if nothing was sent, else cut the
 * connection) and let the worker's drain wait only for the others.
 */
export function failCurrentRequest(): boolean {
  const res = requestContext.getStore();
  if (!res || res.writableEnded || res.destroyed) return false;
  const socket = res.socket;
  failed.add(res);
  try {
    if (!res.headersSent) {
      res.shouldKeepAlive = false;
      res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' });
      res.end('Internal Server Error\n');
      return true;
    }
  } catch {
    // The app left the response in a state we cannot write to: cut it.
  }
  socket?.destroy();
  return true;
}

/** What the draining servers still hold: open connections and the requests in flight. */
export function holding(): { connections: number; requests: string[] } {
  const now = Date.now();
  let connections = 0;
  const requests: string[] = [];
  for (const t of tracked) {
    for (const [socket, conn] of t.conns) {
      connections++;
      if (conn.active === 0 || requests.length >= 10) continue;
      const res = (socket as net.Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
      const req = res?.req;
      requests.push(`${req ? `${req.method} ${req.url}` : 'a request'} (${((now - conn.busySince) / 1000).toFixed(1)} s)`);
    }
  }
  return { connections, requests };
}
