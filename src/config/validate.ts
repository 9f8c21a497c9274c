import { HerdError } from '../errors.js';

// Small validators shared by every option table. Each throws a HerdError that
// names the key, what was expected and what was received.

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

export function invalid(key: string, expected: string, value: unknown): HerdError {
  return new HerdError('ERR_HERD_INVALID_OPTION', `\`${key}\` must be ${expected}, received ${describe(value)}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function checkKeys(path: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const where = path ? `\`${path}.${key}\`` : `\`${key}\``;
      throw new HerdError(
        'ERR_HERD_UNKNOWN_OPTION',
        `unknown option ${where} (value ${describe(value[key])}); expected one of: ${known.join(', ')}`,
      );
    }
  }
}

export function integer(key: string, value: unknown, min: number, unit = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const what = min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw invalid(key, `${what}${unit ? ` (${unit})` : ''}`, value);
  }
  return value;
}

export function nonEmptyString(key: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(key, 'a non-empty string', value);
  return value;
}

export function boolean(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(key, 'true or false', value);
  return value;
}

export function oneOf<T extends string>(key: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw invalid(key, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  }
  return value as T;
}
