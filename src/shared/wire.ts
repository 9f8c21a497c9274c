import v8 from 'node:v8';
import type { HerdMessage } from './protocol.js';

// How a channel message crosses between a worker and the primary. Channel
// messages have a pipe of their own (fd 4 in the worker, beside the IPC
// channel on fd 3), carrying frames: a 4-byte length, a 1-byte kind, the body.
//
// Why not the IPC channel: with `serialization: 'advanced'` Node builds a V8
// serializer object per message sent and a deserializer per message read, on
// each of a relayed consume's four hops. They cost microseconds each and, being
// native objects the garbage collector must finalize, they make every young-
// generation collection take 1–3 ms instead of 0.2: that is the channel's p99.
// Here a message JSON carries exactly is one JSON frame (no native object on
// either side); anything else (Date, Map, Buffer, bigint, cycles, or more than
// 16 KB, where V8 copies long strings faster than JSON escapes them) is one
// frame of V8's serialization, which gives what the IPC channel gave.

const JSON_FRAME = 0;
const V8_FRAME = 1;
const HEADER = 5;
/** Past this estimated size a message goes through V8, whatever it holds. */
const MAX_JSON_BYTES = 16 * 1024;

/** One frame for `msg`; throws as the IPC channel would when V8 cannot serialize it. */
export function encodeFrame(msg: HerdMessage): Buffer {
  if (jsonExact(msg, MAX_JSON_BYTES)) {
    const text = JSON.stringify(msg);
    const length = Buffer.byteLength(text);
    const frame = Buffer.allocUnsafe(HEADER + length);
    frame.writeUInt32BE(length + 1, 0);
    frame[4] = JSON_FRAME;
    frame.write(text, HEADER, 'utf8');
    return frame;
  }
  // As node's IPC does it: the header's room first, so the body is not copied again.
  const serializer = new v8.DefaultSerializer();
  serializer.writeRawBytes(Buffer.allocUnsafe(HEADER));
  serializer.writeHeader();
  serializer.writeValue(msg);
  const frame = serializer.releaseBuffer();
  frame.writeUInt32BE(frame.length - 4, 0);
  frame[4] = V8_FRAME;
  return frame;
}

/** Turns the bytes read from a channel pipe back into messages, however they were cut. */
export class FrameReader {
  #parts: Buffer[] = [];
  #bytes = 0;
  readonly #onMessage: (msg: unknown) => void;

  constructor(onMessage: (msg: unknown) => void) {
    this.#onMessage = onMessage;
  }

  push(chunk: Buffer): void {
    this.#parts.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes >= HEADER) {
      let head = this.#parts[0]!;
      if (head.length < HEADER) head = this.#join();
      const end = 4 + head.readUInt32BE(0);
      if (this.#bytes < end) return;
      // A frame cut across reads is joined once, when all of it is here.
      if (head.length < end) head = this.#join();
      const kind = head[4];
      const body = head.subarray(HEADER, end);
      if (head.length > end) this.#parts[0] = head.subarray(end);
      else this.#parts.shift();
      this.#bytes -= end;
      this.#onMessage(kind === JSON_FRAME ? JSON.parse(body.toString('utf8')) : v8.deserialize(body));
    }
  }

  #join(): Buffer {
    const all = Buffer.concat(this.#parts, this.#bytes);
    this.#parts = [all];
    return all;
  }
}

/**
 * True when JSON.parse(JSON.stringify(value)) is what the structured clone
 * would give: strings, booleans, null, finite numbers other than -0, plain
 * objects with no undefined values, and dense arrays with nothing but
 * elements, each object reached once (the clone keeps shared references and
 * cycles, JSON does not). Stops as soon as the estimated size passes `budget`.
 */
export function jsonExact(value: unknown, budget: number): boolean {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const v = stack.pop();
    switch (typeof v) {
      case 'string':
        budget -= v.length + 2;
        break;
      case 'boolean':
        budget -= 5;
        break;
      case 'number':
        if (!Number.isFinite(v) || Object.is(v, -0)) return false;
        budget -= 8;
        break;
      case 'object': {
        if (v === null) {
          budget -= 4;
          break;
        }
        if (seen.has(v)) return false;
        seen.add(v);
        const proto = Object.getPrototypeOf(v);
        if (proto === Array.prototype) {
          const array = v as unknown[];
          budget -= array.length + 2;
          if (budget < 0) return false;
          // Holes and named properties survive the clone, not JSON.
          if (Object.keys(array).length !== array.length) return false;
          for (let i = 0; i < array.length; i++) stack.push(array[i]);
        } else if (proto === Object.prototype) {
          for (const key in v) {
            if (!Object.hasOwn(v, key)) return false;
            const item = (v as Record<string, unknown>)[key];
            // JSON drops the key; the clone keeps it.
            if (item === undefined) return false;
            stack.push(item);
            budget -= key.length + 4;
          }
          budget -= 2;
        } else {
          return false;
        }
        break;
      }
      default:
        // undefined, bigint, function, symbol.
        return false;
    }
    if (budget < 0) return false;
  }
  return true;
}
