import { invalid } from './validate.js';

// One rule for instance names, checked by `start` and by every control
// command: the name becomes a file name in HERD_HOME, so it can never hold a
// slash or start with a dot and reach outside it.

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidName(value: unknown): value is string {
  return typeof value === 'string' && NAME.test(value);
}

/** Returns `value` when it is a valid name; else throws naming `key` (`name`, `--name`). */
export function checkName(key: string, value: unknown): string {
  if (!isValidName(value)) {
    throw invalid(key, 'letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit)', value);
  }
  return value;
}
