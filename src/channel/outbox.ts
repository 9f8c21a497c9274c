import { message, type HerdMessage } from '../shared/protocol.js';

// One direction of one IPC link. What is sent in one tick leaves as one
// `batch` message (one serialization, one write instead of hundreds), and at
// most `window` estimated bytes are in flight: the rest waits here, so a
// flood is held where the app can see it (emit returns false, then 'drain').

export interface Link {
  /** False once the other side is gone: what is queued is dropped. */
  readonly connected: boolean;
  /** Sends one message; `done` runs once it is written (or failed). */
  send(msg: HerdMessage, done: () => void): void;
}

export interface OutboxOptions {
  /** Estimated bytes that may be in flight before messages wait here. */
  window: number;
  /** 'written': credit returns when the write completes; 'acked': when release() is called (the primary's ack). */
  credit: 'written' | 'acked';
  /** Called when the queue fell back under the window after push() returned false. */
  onDrain?: () => void;
  /** May this message, alone and small, go without the envelope (credit back on write)? Default: on 'written' links. */
  bare?: (msg: HerdMessage) => boolean;
}

interface Entry {
  msg: HerdMessage;
  size: number;
  onWritten: (() => void) | undefined;
}

/** Estimated bytes a worker may have unacked before its messages wait (emit returns false). */
export const ACK_WINDOW = 8 * 1024 * 1024;
const MAX_BATCH_COUNT = 1024;
const BARE_BYTES = 4096;
const MAX_BATCH_BYTES = 256 * 1024;

export class Outbox {
  readonly #link: Link;
  readonly #options: OutboxOptions;
  #queue: Entry[] = [];
  #head = 0;
  #queued = 0;
  #inflight = 0;
  #scheduled = false;
  #full = false;

  constructor(link: Link, options: OutboxOptions) {
    this.#link = link;
    this.#options = options;
  }

  /** Queues a message; false when the caller should wait for the drain. */
  push(msg: HerdMessage, size: number, onWritten?: () => void): boolean {
    this.#queue.push({ msg, size, onWritten });
    this.#queued += size;
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(() => {
        this.#scheduled = false;
        this.#pump();
      });
    }
    if (this.#queued + this.#inflight > this.#options.window) this.#full = true;
    return !this.#full;
  }

  /** Sends one small control message now, ahead of anything queued. */
  sendNow(msg: HerdMessage): void {
    if (this.#link.connected) this.#link.send(msg, () => {});
  }

  /** The other side handed on `size` bytes (credit: 'acked'). */
  release(size: number): void {
    this.#inflight = Math.max(0, this.#inflight - size);
    this.#pump();
  }

  /** Estimated bytes waiting or in flight. */
  get pending(): number {
    return this.#queued + this.#inflight;
  }

  #pump(): void {
    const { window } = this.#options;
    while (this.#head < this.#queue.length && (this.#inflight < window || this.#inflight === 0)) {
      if (!this.#link.connected) return this.#dropAll();
      const start = this.#head;
      const room = Math.min(MAX_BATCH_BYTES, window - this.#inflight);
      let bytes = 0;
      while (this.#head < this.#queue.length && this.#head - start < MAX_BATCH_COUNT
        && (this.#head === start || bytes + this.#queue[this.#head]!.size <= room)) {
        bytes += this.#queue[this.#head]!.size;
        this.#head++;
      }
      const entries = this.#queue.slice(start, this.#head);
      this.#queued -= bytes;
      this.#inflight += bytes;
      this.#write(entries, bytes);
    }
    // Compact now and then rather than shifting on every message.
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#full && this.#queued + this.#inflight <= window / 2) {
      this.#full = false;
      this.#options.onDrain?.();
    }
  }

  #write(entries: Entry[], bytes: number): void {
    // A lone small message (the request/response case) goes without the batch
    // envelope: one level less to serialize. Its credit returns on write, so on
    // an acked link only messages the other side would ack at once may go bare.
    const written = this.#options.credit === 'written';
    const bare = entries.length === 1 && bytes <= BARE_BYTES && (this.#options.bare?.(entries[0]!.msg) ?? written);
    const done = (): void => {
      if (written || bare) this.release(bytes);
      for (const e of entries) e.onWritten?.();
    };
    try {
      this.#link.send(bare ? entries[0]!.msg : message('batch', { msgs: entries.map((e) => e.msg), size: bytes }), done);
    } catch {
      // Something the sender's checks let through: send the rest alone, drop only what fails.
      let left = entries.length;
      const each = (): void => {
        if (--left === 0) done();
      };
      for (const e of entries) {
        try {
          this.#link.send(message('batch', { msgs: [e.msg], size: 0 }), each);
        } catch (error) {
          process.emitWarning(`herd channel: a ${e.msg.verb} message could not be serialized and was dropped: ${(error as Error).message}`);
          each();
        }
      }
    }
  }

  // The other side is gone: nothing can be written, but whoever waits on a write must not wait forever.
  #dropAll(): void {
    const rest = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    this.#queued = 0;
    this.#inflight = 0;
    for (const e of rest) e.onWritten?.();
    if (this.#full) {
      this.#full = false;
      this.#options.onDrain?.();
    }
  }
}
