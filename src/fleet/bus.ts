import { HerdError } from '../errors.js';
import { decodeFrame, encodeFrame, type FleetMessage, type Frame } from './frames.js';
import type { Keys } from './keys.js';
import type { Connections } from './redis.js';

// Pub/sub between hosts. Messages queued in one turn of the loop go out as one
// frame per run of the same channel, in order: per-pair order holds because one
// connection publishes everything and Redis relays in publish order. While
// Redis is down, frames wait in a bounded buffer and go out on reconnect.

/** At most this many frames, or this many bytes, wait for Redis; beyond it, frames are dropped. */
export const BUFFER_FRAMES = 10_000;
export const BUFFER_BYTES = 16 * 1024 * 1024;
/** After a reconnect, buffered frames go once another host is heard from, or after this long. */
const RESUME_WAIT = 3000;

interface Pending {
  channel: string;
  bytes: Buffer;
}

export class Bus {
  readonly #conns: Connections;
  readonly #keys: Keys;
  readonly #host: string;
  readonly #receive: (from: string, msg: FleetMessage) => void;
  readonly #overflow: (error: HerdError) => void;
  /** This turn's runs: consecutive messages to the same channel. */
  #runs: Array<{ channel: string; msgs: FleetMessage[] }> = [];
  #scheduled = false;
  readonly #waiting: Pending[] = [];
  #waitingBytes = 0;
  #dropped = 0;
  /** Redis went away: frames wait until the other hosts can hear them again. */
  #holding = false;
  #resumeTimer: NodeJS.Timeout | undefined;
  /** Frames published, for the bench and tests. */
  published = 0;

  constructor(conns: Connections, keys: Keys, host: string, receive: (from: string, msg: FleetMessage) => void, overflow: (error: HerdError) => void) {
    this.#conns = conns;
    this.#keys = keys;
    this.#host = host;
    this.#receive = receive;
    this.#overflow = overflow;
    conns.cmd.on('error', () => {
      this.#holding = true;
      clearTimeout(this.#resumeTimer);
    });
    // Pub/sub keeps nothing for a subscriber that is not (yet) connected again:
    // say hello, and send what waited once another host answers.
    conns.cmd.on('ready', () => {
      if (!this.#holding) return;
      conns.cmd.sendCommand(['PUBLISH', keys.all, encodeFrame({ from: host, msgs: [{ t: 'hello' }] })]).catch(() => {});
      clearTimeout(this.#resumeTimer);
      this.#resumeTimer = setTimeout(() => this.resume(), RESUME_WAIT);
      this.#resumeTimer.unref();
    });
  }

  /** Another host hears us again: the frames that waited go out, in order. */
  resume(): void {
    if (!this.#holding || !this.#conns.cmd.isReady) return;
    this.#holding = false;
    clearTimeout(this.#resumeTimer);
    this.#drain();
  }

  /** Subscribes (node-redis subscribes again by itself after a reconnect). */
  async listen(): Promise<void> {
    const onFrame = (bytes: Buffer): void => {
      const frame = decodeFrame(bytes);
      // Our own broadcasts were delivered here already, over IPC.
      if (!frame || frame.from === this.#host) return;
      for (const msg of frame.msgs) this.#receive(frame.from, msg);
    };
    await this.#conns.sub.subscribe([this.#keys.all, this.#keys.to(this.#host)], onFrame, true);
  }

  /** To one host, or to every other host (null). */
  send(host: string | null, msg: FleetMessage): void {
    const channel = host === null ? this.#keys.all : this.#keys.to(host);
    const last = this.#runs[this.#runs.length - 1];
    if (last?.channel === channel) last.msgs.push(msg);
    else this.#runs.push({ channel, msgs: [msg] });
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flush();
      });
    }
  }

  /** Sends what this turn queued now, not at the end of the turn (an answer someone waits for). */
  flush(): void {
    if (this.#runs.length > 0) this.#flush();
  }

  /** Frames waiting for Redis. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Frames dropped since the last time Redis was up. */
  get dropped(): number {
    return this.#dropped;
  }

  #flush(): void {
    const runs = this.#runs;
    this.#runs = [];
    for (const { channel, msgs } of runs) {
      const frame: Frame = { from: this.#host, msgs };
      this.#publish(channel, encodeFrame(frame));
    }
  }

  #publish(channel: string, bytes: Buffer): void {
    // Behind frames that wait, so the order holds.
    if (this.#holding || this.#waiting.length > 0 || !this.#conns.cmd.isReady) return this.#hold(channel, bytes);
    this.published++;
    // A frame in flight when the connection breaks is lost: pub/sub is at most once.
    this.#conns.cmd.sendCommand(['PUBLISH', channel, bytes]).catch(() => {});
  }

  #hold(channel: string, bytes: Buffer): void {
    if (this.#waiting.length >= BUFFER_FRAMES || this.#waitingBytes + bytes.byteLength > BUFFER_BYTES) {
      if (this.#dropped++ === 0) {
        this.#overflow(new HerdError('ERR_HERD_FLEET_BUFFER_FULL', `Redis is down and ${this.#waiting.length} batches (${this.#waitingBytes} bytes) for other hosts are waiting: later ones are dropped until it is back`));
      }
      return;
    }
    this.#waiting.push({ channel, bytes });
    this.#waitingBytes += bytes.byteLength;
  }

  #drain(): void {
    const frames = this.#waiting.splice(0);
    this.#waitingBytes = 0;
    this.#dropped = 0;
    for (const { channel, bytes } of frames) this.#publish(channel, bytes);
  }
}
