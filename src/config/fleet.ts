import { hostname } from 'node:os';
import type { ResolvedOptions } from './options.js';
import { checkKeys, invalid, isPlainObject } from './validate.js';

// Validation of the fleet options (docs/many-hosts.md): `redis` and `host`.

export const FLEET_KEYS = ['redis', 'host'] as const;
const REDIS_KEYS = ['url', 'prefix'] as const;
const URL_EXPECTED = "a Redis URL ('redis://host:port', 'rediss://…' or 'unix://…')";
// A host name travels in targets ('web-2/B'), keys and channel names: no slash, no space.
const HOST = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const PREFIX = /^[\x21-\x7e]{0,64}$/;
export const DEFAULT_REDIS_PREFIX = 'herd:';

export interface RedisOptions {
  url: string;
  /** Prepended to every key and channel herd uses (default 'herd:'). */
  prefix?: string;
}

type Fleet = Pick<ResolvedOptions, (typeof FLEET_KEYS)[number]>;

function url(key: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(key, URL_EXPECTED, value);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(key, URL_EXPECTED, value);
  }
  if (!['redis:', 'rediss:', 'unix:'].includes(parsed.protocol)) throw invalid(key, URL_EXPECTED, value);
  return value;
}

function redis(value: unknown): Required<RedisOptions> {
  if (typeof value === 'string') return { url: url('redis', value), prefix: DEFAULT_REDIS_PREFIX };
  if (!isPlainObject(value)) throw invalid('redis', `${URL_EXPECTED} or { url, prefix }`, value);
  checkKeys('redis', value, REDIS_KEYS);
  const prefix = value.prefix === undefined ? DEFAULT_REDIS_PREFIX : value.prefix;
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) throw invalid('redis.prefix', 'a string of at most 64 printable characters without spaces', prefix);
  return { url: url('redis.url', value.url), prefix };
}

/** This machine's name, made fit for a host name in the fleet. */
export function defaultHost(): string {
  const name = hostname().replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return HOST.test(name) ? name : 'host';
}

export function resolveFleet(o: Record<string, unknown>): Fleet {
  let host = defaultHost();
  if (o.host !== undefined) {
    if (typeof o.host !== 'string' || !HOST.test(o.host)) {
      throw invalid('host', 'a host name: letters, digits, ".", "_", ":" or "-" (at most 128, starting with a letter or digit; no "/")', o.host);
    }
    host = o.host;
  }
  return { redis: o.redis === undefined ? undefined : redis(o.redis), host };
}
