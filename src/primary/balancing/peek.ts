import net from 'node:net';

// Sticky by header: the primary reads a connection's first request head to find
// the client's key, then hands the socket and the bytes it read to the worker.

// A request head larger than this is not worth waiting for: the key falls back to the IP.
const MAX_HEAD = 16 * 1024;
// A client that connects and says nothing (a browser's preconnect) is dealt by IP after this.
const HEAD_WAIT_MS = 10_000;
const END_OF_HEAD = Buffer.from('\r\n\r\n');

/** A raw TCP handle as node's accept gives it (internal tcp_wrap). */
export interface RawHandle {
  close(cb?: () => void): void;
  getpeername?(out: { address?: string }): number;
  readStop?(): number;
}

export interface Peeked {
  /** The raw handle to send on (reading stopped). */
  handle: RawHandle;
  head: Buffer | null;
  /** Closes the primary's copy once the worker has it. */
  release(): void;
}

export function peerAddress(handle: RawHandle): string {
  const out: { address?: string } = {};
  handle.getpeername?.(out);
  return out.address ?? '';
}

/**
 * The first address in `header` of the first request, e.g. x-forwarded-for:
 * "client, proxy1" gives "client". Undefined when the head lacks the header.
 */
export function headerKey(head: Buffer, header: string): string | undefined {
  const text = head.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const lines = (end === -1 ? text : text.slice(0, end)).split('\r\n');
  const wanted = header.toLowerCase();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) {
      const first = line.slice(colon + 1).split(',')[0]!.trim();
      if (first) return first;
    }
  }
  return undefined;
}

/** Reads until the end of the first request head (or MAX_HEAD, or the wait runs out, or the client leaves). */
export function peekHead(raw: RawHandle, done: (peeked: Peeked | null) => void): void {
  // Half-open allowed: a client that sent its request and its FIN must not get ours back.
  const socket = new net.Socket({ handle: raw, readable: true, writable: true, allowHalfOpen: true } as net.SocketConstructorOpts);
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const finish = (ok: boolean): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.removeListener('data', onData);
    const handle = (socket as unknown as { _handle: RawHandle | null })._handle;
    if (!ok || !handle) {
      socket.destroy();
      return done(null);
    }
    // Bytes still in the kernel stay there for the worker.
    socket.pause();
    handle.readStop?.();
    const head = size > 0 ? Buffer.concat(chunks, size) : null;
    done({ handle, head, release: () => socket.destroy() });
  };
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_HEAD || Buffer.concat(chunks, size).includes(END_OF_HEAD)) finish(true);
  };
  const timer = setTimeout(() => finish(true), HEAD_WAIT_MS);
  socket.on('data', onData);
  socket.once('error', () => finish(false));
  socket.once('close', () => finish(false));
  // A client that sent its request and half-closed still gets its answer.
  socket.once('end', () => finish(size > 0));
}
