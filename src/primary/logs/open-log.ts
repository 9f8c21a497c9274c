import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { HerdError } from '../../errors.js';

// Opening the log file: append-only, created 0600 (the app's logs may hold
// anything), never through a symbolic link planted at its path (the primary
// may run as root), and never blocking on a named pipe with no reader.

const FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export function openLogFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, FLAGS, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link, which herd does not follow' : (error as Error).message;
    throw new HerdError('ERR_HERD_LOG_FILE', `cannot open the log file ${path}: ${why}`, { cause: error });
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new HerdError('ERR_HERD_LOG_FILE', `cannot open the log file ${path}: it is not a regular file`);
  }
  return fd;
}
