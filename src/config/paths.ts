import { lstatSync, realpathSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HerdError } from '../errors.js';
import { invalid } from './validate.js';

// Paths herd creates or writes (HERD_HOME, the log file) must be real folders
// and files: under /proc a recursive mkdir never ends, and in /sys or /dev a
// write reaches the kernel or a device, not a file.

const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];
// tmpfs under /dev/shm is an ordinary, writable filesystem.
const ALLOWED_UNDER_PSEUDO = ['/dev/shm'];
// statfs f_type of pseudo-filesystems, wherever they are mounted (linux/magic.h).
const PSEUDO_MAGIC = new Map<number, string>([
  [0x9fa0, 'proc'], [0x62656572, 'sysfs'], [0x1cd1, 'devpts'], [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'], [0x27e0eb, 'cgroup'], [0x63677270, 'cgroup2'], [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'], [0x62656570, 'configfs'], [0x6165676c, 'pstore'], [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'], [0x65735543, 'fusectl'], [0x42494e4d, 'binfmt_misc'], [0x6e736673, 'nsfs'],
  [0x19800202, 'mqueue'],
]);

/** Refuses a string path with a NUL byte (fs would throw a raw ERR_INVALID_ARG_VALUE). */
export function pathString(key: string, value: string): string {
  if (value.includes('\0')) throw invalid(key, 'a path without NUL bytes', value);
  return value;
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** The path itself, or the closest of its ancestors that exists. */
function nearestExisting(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try {
      lstatSync(p);
      return p;
    } catch {
      if (p === dirname(p)) return p;
    }
  }
}

/** Why `path` lies in a pseudo-filesystem, or undefined when it does not. */
export function pseudoFilesystem(path: string): string | undefined {
  const absolute = resolve(path);
  const existing = nearestExisting(absolute);
  let real = existing;
  try { real = realpathSync(existing); } catch { /* a dangling link: judge it by its name */ }
  for (const candidate of [absolute, real]) {
    if (ALLOWED_UNDER_PSEUDO.some((root) => within(candidate, root))) continue;
    const root = PSEUDO_ROOTS.find((r) => within(candidate, r));
    if (root) return `it is under ${root}`;
  }
  try {
    const kind = PSEUDO_MAGIC.get(Number(statfsSync(real).type));
    if (kind) return `${real} is on a ${kind} filesystem`;
  } catch { /* cannot tell: the open or mkdir that follows reports its own error */ }
  return undefined;
}

/** Throws ERR_HERD_UNSAFE_PATH when `path` (named by `key`) lies in a pseudo-filesystem. */
export function refusePseudoFilesystem(key: string, path: string): void {
  const why = pseudoFilesystem(path);
  if (why) {
    throw new HerdError('ERR_HERD_UNSAFE_PATH', `\`${key}\` must be a path on a real filesystem, received ${JSON.stringify(path)} (${why})`);
  }
}
