import { HerdError } from '../errors.js';

// Options may come from a config module: a getter or a Proxy there can throw
// when read, and an array may have holes. Validation runs on a plain copy,
// read once, so every value it sees is data and a throwing read names its key.

const MAX_DEPTH = 8;
const MAX_LENGTH = 100_000;

function read<T>(key: string, get: () => T): T {
  try {
    return get();
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new HerdError('ERR_HERD_INVALID_OPTION', `\`${key || 'options'}\` could not be read (${why})`, { cause: error });
  }
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** A copy of plain objects and arrays (other values as they are), every read guarded. */
export function snapshot(value: unknown, path = '', depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return value;
  const isArray = read(path, () => Array.isArray(value));
  if (isArray) {
    const list = value as unknown[];
    const length = read(path, () => list.length);
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_LENGTH) {
      throw new HerdError('ERR_HERD_INVALID_OPTION', `\`${path || 'options'}\` must be an array of at most ${MAX_LENGTH} items, received length ${String(length)}`);
    }
    return Array.from({ length }, (_, i) => snapshot(read(join(path, i), () => list[i]), join(path, i), depth + 1));
  }
  const proto = read(path, () => Object.getPrototypeOf(value) as unknown);
  // Class instances, Maps, Dates...: left for validation to refuse as they are.
  if (proto !== Object.prototype && proto !== null) return value;
  const keys = read(path, () => Object.keys(value));
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    copy[key] = snapshot(read(join(path, key), () => (value as Record<string, unknown>)[key]), join(path, key), depth + 1);
  }
  return copy;
}
