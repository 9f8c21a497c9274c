import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fchmodSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { HerdError } from '../../errors.js';

// The actions' bearer token: `dashboard.token`, or a random one made at start.
// It is written to $HERD_HOME/<name>.token, 0600, never through a symbolic
// link planted at that path (the primary may run as root).

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenFile(home: string, name: string): string {
  return `${home.replace(/\/+$/, '')}/${name}.token`;
}

export function writeTokenFile(path: string, token: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    // A file that was already there keeps its mode through O_CREAT: make it 0600.
    fchmodSync(fd, 0o600);
    writeSync(fd, `${token}\n`);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'it is a symbolic link, which herd does not follow' : (error as Error).message;
    throw new HerdError('ERR_HERD_DASHBOARD', `cannot write the dashboard token file ${path}: ${why}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes the token file when it still holds this herd's token (a newer herd of that name may have written its own). */
export function removeTokenFile(path: string, token: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === token) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Compares in constant time (over digests, so lengths do not leak either). */
export function tokenMatches(given: string | undefined, token: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
