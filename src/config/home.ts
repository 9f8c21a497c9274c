import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, realpathSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { HerdError } from '../errors.js';
import { refusePseudoFilesystem } from './paths.js';

// HERD_HOME holds the control sockets: whoever can replace a file there can
// answer herd's commands in its place. So herd uses only a real folder, owned
// by the current user and writable by no one else, and never chmods a folder
// it did not create.

const KEY = 'HERD_HOME';

function refuse(home: string, why: string, cause?: unknown): HerdError {
  return new HerdError('ERR_HERD_HOME', `${KEY} (or \`home\`) ${home} ${why}`, cause === undefined ? undefined : { cause });
}

function lstat(home: string): Stats | undefined {
  try {
    return lstatSync(home);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw refuse(home, 'cannot be used: a file is in the way of the path', error);
    throw refuse(home, `cannot be read: ${(error as Error).message}`, error);
  }
}

function check(home: string, stats: Stats): void {
  if (stats.isSymbolicLink()) {
    let target = '?';
    try { target = realpathSync(home); } catch { /* dangling */ }
    throw refuse(home, `is a symbolic link (to ${target}); herd does not follow it: set ${KEY} to the real folder`);
  }
  if (!stats.isDirectory()) throw refuse(home, 'is not a folder');
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw refuse(home, `is owned by uid ${stats.uid}, not by you (uid ${uid}); another user could answer herd's commands there`);
  }
  if ((stats.mode & 0o022) !== 0) {
    const mode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
    throw refuse(home, `is writable by group or others (mode ${mode}); anyone could replace herd's sockets there: \`chmod go-w\` it or choose another folder`);
  }
}

/** For the control commands: is the home there (false: nothing can be running), and safe? */
export function inspectHome(home: string): boolean {
  refusePseudoFilesystem(KEY, home);
  const stats = lstat(home);
  if (!stats) return false;
  check(home, stats);
  return true;
}

/** For `herd start`: creates the home 0700 when missing, and refuses an unsafe one. */
export function prepareHome(home: string): void {
  refusePseudoFilesystem(KEY, home);
  let stats = lstat(home);
  if (!stats) {
    try {
      mkdirSync(dirname(home), { recursive: true, mode: 0o700 });
      mkdirSync(home, { mode: 0o700 });
      // The umask may have taken bits away from 0700; the fd is the folder just made, never a link.
      const fd = openSync(home, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      try { fchmodSync(fd, 0o700); } finally { closeSync(fd); }
    } catch (error) {
      // Someone else made it meanwhile: judged below like any existing folder.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw refuse(home, `cannot be created: ${(error as Error).message}`, error);
    }
    stats = lstat(home);
    if (!stats) throw refuse(home, 'vanished while it was being created');
  }
  check(home, stats);
}
