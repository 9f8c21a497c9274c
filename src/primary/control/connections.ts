import type net from 'node:net';
import { HerdError, publicError } from '../../errors.js';
import { MAX_REQUEST_BYTES, type ControlResponse } from '../../shared/control.js';

// The control socket's connections, with limits so that no client (a runaway
// script of the same user) can grow the primary's memory or take its file
// descriptors: a line longer than MAX_REQUEST_BYTES ends the connection at
// once, nothing more of it is read; at most MAX_CONNECTIONS are open, the one
// idle the longest giving way to a new one; a connection with no request
// under way is closed after IDLE_TIMEOUT_MS.

export const MAX_CONNECTIONS = 64;
export const IDLE_TIMEOUT_MS = 10_000;

interface Connection {
  socket: net.Socket;
  /** Requests under way. */
  busy: number;
  /** Streaming `logs --follow`: waiting on the herd, not idle. */
  following: boolean;
  lastActive: number;
  idle: NodeJS.Timeout | undefined;
}

export function reply(socket: net.Socket, response: ControlResponse): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(response)}\n`);
}

/** Answers once with an error, then closes without reading anything more. */
function refuse(socket: net.Socket, error: HerdError): void {
  socket.removeAllListeners('data');
  socket.pause();
  reply(socket, { id: -1, ok: false, error: publicError(error) });
  socket.end();
  // Once the answer is out, nothing keeps the descriptor: the client may never close its side.
  socket.once('finish', () => socket.destroy());
}

export class Connections {
  readonly #open = new Map<net.Socket, Connection>();
  readonly #onLine: (socket: net.Socket, line: string) => void;

  constructor(onLine: (socket: net.Socket, line: string) => void) {
    this.#onLine = onLine;
  }

  get size(): number {
    return this.#open.size;
  }

  accept(socket: net.Socket): void {
    socket.on('error', () => {});
    if (this.#open.size >= MAX_CONNECTIONS && !this.#evictIdlest()) {
      refuse(socket, new HerdError('ERR_HERD_CONTROL', `too many control connections (${MAX_CONNECTIONS}) are busy; try again`));
      return;
    }
    const conn: Connection = { socket, busy: 0, following: false, lastActive: Date.now(), idle: undefined };
    this.#open.set(socket, conn);
    socket.once('close', () => {
      clearTimeout(conn.idle);
      this.#open.delete(socket);
    });
    this.#armIdle(conn);
    this.#read(conn);
  }

  /** A request started on `socket`. */
  begin(socket: net.Socket): void {
    const conn = this.#open.get(socket);
    if (!conn) return;
    conn.busy++;
    clearTimeout(conn.idle);
  }

  /** A request on `socket` was answered (or turned into a follow). */
  end(socket: net.Socket, following = false): void {
    const conn = this.#open.get(socket);
    if (!conn) return;
    conn.busy--;
    conn.following ||= following;
    conn.lastActive = Date.now();
    this.#armIdle(conn);
  }

  closeAll(): void {
    for (const conn of this.#open.values()) {
      clearTimeout(conn.idle);
      conn.socket.end();
    }
  }

  #armIdle(conn: Connection): void {
    clearTimeout(conn.idle);
    if (conn.busy > 0 || conn.following) return;
    conn.idle = setTimeout(() => conn.socket.destroy(), IDLE_TIMEOUT_MS);
    conn.idle.unref();
  }

  #evictIdlest(): boolean {
    let idlest: Connection | undefined;
    for (const conn of this.#open.values()) {
      if (conn.busy > 0 || conn.following) continue;
      if (!idlest || conn.lastActive < idlest.lastActive) idlest = conn;
    }
    if (!idlest) return false;
    this.#open.delete(idlest.socket);
    clearTimeout(idlest.idle);
    idlest.socket.destroy();
    return true;
  }

  // Bytes, not strings: a newline is looked for only in the new chunk, and a
  // line is decoded once, when it is whole.
  #read(conn: Connection): void {
    const { socket } = conn;
    let parts: Buffer[] = [];
    let pending = 0;
    const tooLong = (): void => {
      parts = [];
      refuse(socket, new HerdError('ERR_HERD_BAD_REQUEST', `request longer than ${MAX_REQUEST_BYTES} bytes; connection closed`));
    };
    socket.on('data', (chunk: Buffer) => {
      let start = 0;
      let nl: number;
      while ((nl = chunk.indexOf(10, start)) !== -1) {
        if (pending + nl - start > MAX_REQUEST_BYTES) return tooLong();
        parts.push(chunk.subarray(start, nl));
        const line = Buffer.concat(parts).toString('utf8');
        parts = [];
        pending = 0;
        start = nl + 1;
        conn.lastActive = Date.now();
        this.#armIdle(conn);
        if (line.trim()) this.#onLine(socket, line);
        if (socket.destroyed) return;
      }
      if (pending + chunk.length - start > MAX_REQUEST_BYTES) return tooLong();
      if (start < chunk.length) {
        parts.push(chunk.subarray(start));
        pending += chunk.length - start;
      }
    });
  }
}
