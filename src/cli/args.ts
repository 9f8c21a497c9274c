import { HerdError } from '../errors.js';
import { describe } from '../config/validate.js';

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
