import v8 from 'node:v8';
import { HerdError } from '../errors.js';

// Channel data must survive the structured clone algorithm. Batching sends it a
// tick later, so it is checked here, at the sender, where the error belongs.
// Plain data is walked (cheap); anything else is tried with V8's serializer,
// the one the channel's pipe uses for it (src/shared/wire.ts).

const PLAIN_PROTOS = new Set<unknown>([
  Object.prototype, null, Array.prototype, Date.prototype, RegExp.prototype, Map.prototype, Set.prototype,
  Error.prototype, Boolean.prototype, Number.prototype, String.prototype, ArrayBuffer.prototype,
]);
const FIXED_SIZE = 16;

/** Returns an estimate of the data's size in bytes; throws ERR_HERD_UNSERIALIZABLE naming the event. */
export function checkCloneable(event: string, args: readonly unknown[]): number {
  const seen = new Set<object>();
  let size = 0;
  const stack: unknown[] = [...args];
  while (stack.length > 0) {
    const value = stack.pop();
    switch (typeof value) {
      case 'string':
        size += value.length + FIXED_SIZE;
        continue;
      case 'function':
      case 'symbol':
        throw unserializable(event, `a ${typeof value}`);
      case 'object':
        break;
      default:
        size += FIXED_SIZE;
        continue;
    }
    if (value === null || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      size += value.byteLength;
      continue;
    }
    const proto = Object.getPrototypeOf(value);
    if (!PLAIN_PROTOS.has(proto) && !(value instanceof Error)) {
      size += trySerialize(event, value);
      continue;
    }
    if (value instanceof ArrayBuffer) size += value.byteLength;
    else if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    else if (value instanceof Set) for (const v of value) stack.push(v);
    else if (Array.isArray(value)) for (const v of value) stack.push(v);
    else for (const key of Object.keys(value)) stack.push((value as Record<string, unknown>)[key]);
    size += FIXED_SIZE;
  }
  return size;
}

function trySerialize(event: string, value: object): number {
  try {
    return v8.serialize(value).byteLength;
  } catch (error) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw unserializable(event, `a ${name}`, error);
  }
}

function unserializable(event: string, what: string, cause?: unknown): HerdError {
  return new HerdError(
    'ERR_HERD_UNSERIALIZABLE',
    `channel data for event "${event}" contains ${what}, which the structured clone algorithm cannot carry`,
    cause === undefined ? undefined : { cause },
  );
}

/** A deep copy as the channel's pipe would make it (Buffers stay Buffers), for --single. */
export function cloneArgs<T>(value: T): T {
  return v8.deserialize(v8.serialize(value)) as T;
}
