import type { IncomingMessage, ServerResponse } from 'node:http';

// Server-Sent Events to the pages that watch. One frame is built once and
// written to every client; a client that stops reading (its socket buffer
// past MAX_BUFFERED) is dropped rather than grow the primary.

/** Bytes a client may leave unread before it is dropped (its browser reconnects and gets a snapshot). */
const MAX_BUFFERED = 4 * 1024 * 1024;
/** A comment line now and then keeps proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 20_000;
/** EventSource reconnects after this long when the stream ends (a herd restart). */
const RETRY_MS = 1000;
export const MAX_CLIENTS = 32;

export class SseHub {
  readonly #clients = new Set<ServerResponse>();
  readonly #onCountChange: (count: number) => void;
  #keepalive: NodeJS.Timeout | undefined;

  constructor(onCountChange: (count: number) => void) {
    this.#onCountChange = onCountChange;
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Opens a stream; `first` is written before any broadcast reaches it. Returns false when full. */
  add(req: IncomingMessage, res: ServerResponse, first: string): boolean {
    if (this.#clients.size >= MAX_CLIENTS) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n${first}`);
    req.socket.setNoDelay(true);
    this.#clients.add(res);
    const remove = (): void => {
      if (!this.#clients.delete(res)) return;
      if (this.#clients.size === 0) this.#stopKeepalive();
      this.#onCountChange(this.#clients.size);
    };
    res.once('close', remove);
    if (!this.#keepalive) {
      this.#keepalive = setInterval(() => this.#write(': keepalive\n\n'), KEEPALIVE_MS);
      this.#keepalive.unref();
    }
    this.#onCountChange(this.#clients.size);
    return true;
  }

  send(event: string, data: unknown): void {
    if (this.#clients.size > 0) this.#write(frame(event, data));
  }

  #write(text: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(text);
    }
  }

  #stopKeepalive(): void {
    clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }

  close(): void {
    this.#stopKeepalive();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}

/** One SSE frame; JSON never holds a raw newline, so one `data:` line carries it. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
