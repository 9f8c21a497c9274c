import { NS, type HerdMessage } from './protocol.js';

// How a channel message crosses the IPC channel. The channel is opened with
// `serialization: 'advanced'` so that Dates, Maps, Buffers and bigints arrive
// as themselves, but V8's serializer costs a fixed few microseconds per object
// on both ends of each of a relayed consume's four hops. A message made only
// of what JSON carries exactly goes as one JSON string instead (the serializer
// then copies one string), which puts a small round trip at the raw JSON floor
// (docs/benchmarks.md). Anything else goes as the object, as before.

/** How every encoded message starts: `message()` puts `ns` first. */
const PREFIX = `{"ns":"${NS}"`;
/** Past this estimated size a message goes as the object: V8 copies long strings faster than JSON escapes them. */
const MAX_JSON_BYTES = 16 * 1024;

/** The message as it goes on the wire: a JSON string when that is exact, else the message itself. */
export function encode(msg: HerdMessage): HerdMessage | string {
  if (!jsonExact(msg, MAX_JSON_BYTES)) return msg;
  const text = JSON.stringify(msg);
  // Only what decode() recognizes may go as text.
  return text.startsWith(PREFIX) ? text : msg;
}

/** What arrived from the IPC channel: herd's JSON strings are parsed, anything else is left as it came. */
export function decode(raw: unknown): unknown {
  return typeof raw === 'string' && raw.startsWith(PREFIX) ? JSON.parse(raw) : raw;
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
