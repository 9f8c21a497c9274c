import { isIP } from 'node:net';
import type { ResolvedOptions } from './options.js';
import { port } from './health.js';
import { checkKeys, describe, invalid, isPlainObject, nonEmptyString } from './validate.js';
import { HerdError } from '../errors.js';

// Validation of `dashboard` (docs/dashboard.md): a port, or { port, host, token }.

const KEYS = ['port', 'host', 'token'] as const;
export const DEFAULT_HOST = '127.0.0.1';
/** A token shorter than this is guessable; herd's own are 32 characters. */
export const MIN_TOKEN_LENGTH = 16;
// Sent in an HTTP header: printable ASCII without spaces, so no quoting question arises.
const TOKEN = /^[\x21-\x7e]+$/;

/** 127.0.0.0/8, ::1 and localhost: only this machine's users can connect. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

function token(value: unknown): string {
  if (typeof value !== 'string' || value.length < MIN_TOKEN_LENGTH || !TOKEN.test(value)) {
    const expected = `a string of at least ${MIN_TOKEN_LENGTH} printable ASCII characters without spaces`;
    if (typeof value !== 'string') throw invalid('dashboard.token', expected, value);
    // Never the secret itself in a message.
    const received = value.length < MIN_TOKEN_LENGTH ? `${value.length} characters` : 'a space or a character outside printable ASCII';
    throw new HerdError('ERR_HERD_INVALID_OPTION', `\`dashboard.token\` must be ${expected}, received ${received}`);
  }
  return value;
}

export function resolveDashboard(value: unknown): NonNullable<ResolvedOptions['dashboard']> {
  if (typeof value === 'number') return { port: port('dashboard', value), host: DEFAULT_HOST, token: undefined };
  if (!isPlainObject(value)) throw invalid('dashboard', 'a port number or { port, host, token }', value);
  checkKeys('dashboard', value, KEYS);
  const host = value.host === undefined ? DEFAULT_HOST : nonEmptyString('dashboard.host', value.host);
  const resolved = { port: port('dashboard.port', value.port), host, token: value.token === undefined ? undefined : token(value.token) };
  if (resolved.token === undefined && !isLoopback(host)) {
    // Anyone who reaches that address could read the logs and, with a token they could guess or read, act.
    throw new HerdError(
      'ERR_HERD_INVALID_OPTION',
      `\`dashboard.token\` must be set when \`dashboard.host\` is not a loopback address (received host ${describe(host)}): choose a long random token, see docs/dashboard.md`,
    );
  }
  return resolved;
}
