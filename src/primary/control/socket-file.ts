import { lstatSync, unlinkSync, type Stats } from 'node:fs';
import { HerdError } from '../../errors.js';
import { probe } from '../../shared/control.js';

// What may already be at `<name>.sock` when a herd starts. Only a socket of
// ours that nobody answers on (its primary died) is removed; anything else is
// someone's file, and herd says what it found instead of deleting it.

function kind(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a named pipe';
  return 'not a socket';
}

export async function claimSocketFile(path: string, alreadyRunning: HerdError): Promise<void> {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new HerdError('ERR_HERD_CONTROL', `cannot check the control socket path ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!stats.isSocket()) {
    throw new HerdError('ERR_HERD_CONTROL', `${path} is ${kind(stats)}, not a control socket; herd removes only a socket left by a dead primary: move it away or choose another --name`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new HerdError('ERR_HERD_CONTROL', `the control socket ${path} belongs to uid ${stats.uid}, not to you (uid ${uid}); herd leaves it alone`);
  }
  if (await probe(path)) throw alreadyRunning;
  // Nobody answers: a dead primary left it behind.
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new HerdError('ERR_HERD_CONTROL', `cannot remove the stale control socket ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
}
