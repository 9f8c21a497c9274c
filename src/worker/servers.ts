import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

// Knows every server the app listens on, so the worker can tell the primary it
// is ready and can drain without dropping a request. net.Server.prototype.listen
// is the one place every server (http, https, express, fastify, koa, raw net)
// passes through.

// A keep-alive connection with no request in flight may still have a request on
// the wire. Closing it could drop that request, so an idle connection is only
// closed once it has stayed idle this long after draining began.
const IDLE_GRACE_MS = 1000;
const SWEEP_MS = 50;

interface Conn {
  active: number;
  idleSince: number;
}

interface Tracked {
  server: net.Server;
  conns: Map<net.Socket, Conn>;
  draining: boolean;
}

const tracked = new Set<Tracked>();
let onFirstListening: (() => void) | undefined;
let installed = false;

function isHttp(server: net.Server): boolean {
  return server instanceof http.Server || server instanceof https.Server;
}

function track(server: net.Server): void {
  for (const t of tracked) if (t.server === server) return;
  const t: Tracked = { server, conns: new Map(), draining: false };
  tracked.add(t);

  // https emits 'secureConnection' with the socket requests will carry.
  const connEvent = server instanceof https.Server ? 'secureConnection' : 'connection';
  server.on(connEvent, (socket: net.Socket) => {
    t.conns.set(socket, { active: 0, idleSince: Date.now() });
    socket.once('close', () => t.conns.delete(socket));
  });

  if (isHttp(server)) {
    // Prepended, so it runs before the app's handler can write headers.
    server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const conn = t.conns.get(req.socket as net.Socket);
      if (conn) conn.active++;
      if (t.draining) res.shouldKeepAlive = false;
      res.once('close', () => {
        if (!conn) return;
        conn.active--;
        conn.idleSince = Date.now();
      });
    });
  }

  server.once('listening', () => onFirstListening?.());
  server.once('close', () => tracked.delete(t));
}

/** Patches net.Server.prototype.listen once; `listening` fires on the first server that listens. */
export function installServerTracking(listening: () => void): void {
  onFirstListening = () => {
    onFirstListening = undefined;
    listening();
  };
  if (installed) return;
  installed = true;
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
    track(this);
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;
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

  return new Promise<void>((resolve) => {
    const sweep = (): void => {
      const now = Date.now();
      // Raw net servers have no request boundaries: their connections end on their own.
      if (isHttp(server)) {
        for (const [socket, conn] of t.conns) {
          if (conn.active === 0 && now - conn.idleSince >= IDLE_GRACE_MS) socket.destroy();
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

/** Stops accepting, lets in-flight requests finish, closes keep-alive connections cleanly. */
export async function drainServers(): Promise<void> {
  await Promise.all([...tracked].map(drainOne));
}
