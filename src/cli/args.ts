import { HerdError } from '../errors.js';
import { describe } from '../config/validate.js';
import { parseSize } from '../config/health.js';

// Turns CLI flag strings into option values, naming the flag when one is wrong.

export function intFlag(flag: string, raw: string, min: number, unit = ''): number {
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    const what = min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new HerdError('ERR_HERD_INVALID_OPTION', `\`${flag}\` must be ${what}${unit ? ` (${unit})` : ''}, received ${describe(raw)}`);
  }
  return value;
}

export function workersFlag(raw: string): number | 'auto' {
  if (raw === 'auto') return 'auto';
  if (/^-?\d+$/.test(raw.trim())) return Number(raw);
  throw new HerdError('ERR_HERD_INVALID_OPTION', `\`--workers\` must be 'auto' or an integer (0: one per CPU, -k: CPUs minus k), received ${describe(raw)}`);
}

export function sizeFlag(flag: string, raw: string): number {
  const bytes = parseSize(raw);
  if (bytes === undefined) {
    throw new HerdError('ERR_HERD_INVALID_OPTION', `\`${flag}\` must be a positive number of bytes or a size like '512M' or '1.5G' (K, M, G: powers of 1024), received ${describe(raw)}`);
  }
  return bytes;
}

export function portFlag(flag: string, raw: string): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value > 65535) {
    throw new HerdError('ERR_HERD_INVALID_OPTION', `\`${flag}\` must be a port number from 0 to 65535 (0: any free port), received ${describe(raw)}`);
  }
  return value;
}
