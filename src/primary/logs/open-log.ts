import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { HerdError } from '../../errors.js';

// Opening the log file: append-only, created 0600 (the app's logs may hold
// anything), never through a symbolic link planted at its path (the primary
// may run as root). A named pipe (a log shipper reading it) is fine when
// someone reads it: the first open does not block, so one nobody reads is an
// error, not a primary hung at start.

const FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

export function openLogFile(path: string): number {
  try {
    const fd = openSync(path, FLAGS | constants.O_NONBLOCK, 0o600);
    const stats = fstatSync(fd);
    if (stats.isFile()) return fd;
    closeSync(fd);
    if (!stats.isFIFO()) throw new HerdError('ERR_HERD_LOG_FILE', `cannot open the log file ${path}: it is not a regular file`);
    // A reader is there (else ENXIO above): writes may block the fs thread, not the primary.
    return openSync(path, FLAGS, 0o600);
  } catch (error) {
    if (error instanceof HerdError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link, which herd does not follow'
      : code === 'ENXIO' ? 'it is a named pipe nobody reads'
        : (error as Error).message;
    throw new HerdError('ERR_HERD_LOG_FILE', `cannot open the log file ${path}: ${why}`, { cause: error });
  }
}
