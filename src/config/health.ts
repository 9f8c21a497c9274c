import { DEFAULTS, type MetricsOptions, type ResolvedOptions } from './options.js';
import { checkKeys, integer, invalid, isPlainObject, nonEmptyString } from './validate.js';

// Validation of the health and metrics options (docs/health.md, docs/metrics.md).

export const HEALTH_KEYS = ['hangTimeout', 'maxMemory', 'maxRequests', 'maxRequestsJitter', 'metrics'] as const;
const METRICS_KEYS = ['port', 'host'] as const;
const MAX_MS = 2_147_483_647;
const UNITS: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMG])B?$/i;
const SIZE_EXPECTED = "a positive number of bytes or a size like '512M' or '1.5G' (K, M, G: powers of 1024)";

/** `'512M'` → bytes; a number is bytes already. Undefined when it is not a size. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseSize(Number(text));
  const m = SIZE.exec(text);
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function size(key: string, value: unknown): number {
  const bytes = parseSize(value);
  if (bytes === undefined) throw invalid(key, SIZE_EXPECTED, value);
  return bytes;
}

export function port(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw invalid(key, 'a port number from 0 to 65535 (0: any free port)', value);
  }
  return value;
}

function metrics(value: unknown): Required<MetricsOptions> {
  if (typeof value === 'number') return { port: port('metrics', value), host: '127.0.0.1' };
  if (!isPlainObject(value)) throw invalid('metrics', 'a port number or { port, host }', value);
  checkKeys('metrics', value, METRICS_KEYS);
  return {
    port: port('metrics.port', value.port),
    host: value.host === undefined ? '127.0.0.1' : nonEmptyString('metrics.host', value.host),
  };
}

type Health = Pick<ResolvedOptions, (typeof HEALTH_KEYS)[number]>;

export function resolveHealth(o: Record<string, unknown>): Health {
  const hangTimeout = o.hangTimeout === undefined ? DEFAULTS.hangTimeout : integer('hangTimeout', o.hangTimeout, 0, 'ms, 0: off');
  if (hangTimeout > MAX_MS) throw invalid('hangTimeout', `at most ${MAX_MS} (ms)`, o.hangTimeout);
  return {
    hangTimeout,
    maxMemory: o.maxMemory === undefined ? 0 : size('maxMemory', o.maxMemory),
    maxRequests: o.maxRequests === undefined ? 0 : integer('maxRequests', o.maxRequests, 0, '0: never'),
    maxRequestsJitter: o.maxRequestsJitter === undefined ? 0 : integer('maxRequestsJitter', o.maxRequestsJitter, 0),
    metrics: o.metrics === undefined ? undefined : metrics(o.metrics),
  };
}
