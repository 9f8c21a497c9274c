import v8 from 'node:v8';
import { HerdError } from '../errors.js';
import type { WireValue } from '../shared/protocol.js';

// How a value travels to the primary. Plain data (objects, arrays, strings,
// numbers, Dates, Maps, Sets, bigints…) goes as it is: IPC's structured clone
// carries it, and the walk here only checks it and estimates its size. Binary
// data (Buffers, typed arrays) and class instances go as V8 bytes, which the
// primary copies out of the IPC message instead of keeping the message alive.

const PLAIN_PROTOS = new Set<unknown>([
  Object.prototype, null, Array.prototype, Date.prototype, RegExp.prototype, Map.prototype, Set.prototype,
  Boolean.prototype, Number.prototype, String.prototype,
]);
/** Bytes counted for a number, a boolean, an object's own slot… (src/state/store.ts counts numbers the same). */
const FIXED = 16;

export function encode(where: string, value: unknown): WireValue {
  const size = plainSize(where, value);
  if (size >= 0) return { value, encoded: false, size };
  let bytes: Buffer;
  try {
    bytes = v8.serialize(value);
  } catch (error) {
    throw unserializable(where, (error as Error).message, error);
  }
  return { value: bytes, encoded: true, size: bytes.byteLength };
}

/** A `get` answer back to the value. */
export function decode(answer: unknown): unknown {
  if (answer === undefined) return undefined;
  const [value, encoded] = answer as [unknown, boolean];
  return encoded ? v8.deserialize(value as Uint8Array) : value;
}

/** A deep copy as IPC would make it, for callers in the primary's own process. */
export function copy<T>(value: T): T {
  return v8.deserialize(v8.serialize(value)) as T;
}

/** Estimated bytes of plain data; -1 when it holds binary data or class instances. */
function plainSize(where: string, root: unknown): number {
  if (typeof root !== 'object' && typeof root !== 'function' && typeof root !== 'symbol') {
    return typeof root === 'string' ? root.length + FIXED : FIXED;
  }
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  let size = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    switch (typeof value) {
      case 'string':
        size += value.length + FIXED;
        continue;
      case 'function':
      case 'symbol':
        throw unserializable(where, `it contains a ${typeof value}`);
      case 'object':
        break;
      default:
        size += FIXED;
        continue;
    }
    if (value === null || seen.has(value)) continue;
    seen.add(value);
    if (!PLAIN_PROTOS.has(Object.getPrototypeOf(value)) && !(value instanceof Error)) return -1;
    if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    else if (value instanceof Set) for (const v of value) stack.push(v);
    else if (Array.isArray(value)) for (const v of value) stack.push(v);
    else for (const key of Object.keys(value)) stack.push(key, (value as Record<string, unknown>)[key]);
    size += FIXED;
  }
  return size;
}

function unserializable(where: string, reason: string, cause?: unknown): HerdError {
  return new HerdError('ERR_HERD_UNSERIALIZABLE', `${where}: the value is not structured-clone data (${reason})`, cause === undefined ? undefined : { cause });
}
