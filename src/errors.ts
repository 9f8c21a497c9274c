// Every error a user can meet, with its stable code. docs/errors.md lists
// exactly these codes (a test keeps the two in step).

export const ERROR_CODES = {
  ERR_HERD_INVALID_OPTION: 'An option or config key has a wrong type or an out-of-range value.',
  ERR_HERD_UNKNOWN_OPTION: 'An option or config key herd does not know.',
  ERR_HERD_CONFIG_LOAD: 'The config file could not be read or evaluated.',
  ERR_HERD_USAGE: 'The command line could not be understood.',
  ERR_HERD_SCRIPT_NOT_FOUND: 'The app script does not exist.',
  ERR_HERD_TYPESCRIPT: 'A TypeScript app was given and tsx cannot be found from its folder.',
  ERR_HERD_BOOT_FAILED: 'Every worker failed while booting; nothing could serve.',
  ERR_HERD_READY_TIMEOUT: 'A worker did not become ready within `readyTimeout`.',
  ERR_HERD_CRASH_LOOP: 'Workers exited more than `restart.maxRestarts` times within `restart.window`.',
  ERR_HERD_ALREADY_RUNNING: 'An instance with this name is already running.',
  ERR_HERD_NOT_RUNNING: 'No running instance with this name was found.',
  ERR_HERD_STOPPING: 'The instance is stopping and refuses the action.',
  ERR_HERD_BAD_REQUEST: 'A control request was malformed or named an unknown command.',
  ERR_HERD_CONTROL: 'The control socket could not be used.',
  ERR_HERD_UNSUPPORTED: 'The action is not available in this mode (reload or scale with `--single`).',
  ERR_HERD_RELOAD_FAILED: 'A rolling reload failed and rolled back; the old workers keep serving.',
  ERR_HERD_UNSERIALIZABLE: 'Channel data that the structured clone algorithm cannot carry.',
  ERR_HERD_UNKNOWN_TARGET: 'emitTo named a worker that does not exist.',
  ERR_HERD_NO_LISTENER: 'No worker listens for a consumed event.',
  ERR_HERD_TIMEOUT: 'A channel request got no answer in time.',
  ERR_HERD_WORKER_EXITED: 'The worker exited before it answered.',
  ERR_HERD_INVALID_ARGUMENT: 'A channel or API call got an argument of the wrong type.',
  ERR_HERD_NOT_IN_CLUSTER: 'A herd API that needs a running herd was called outside one.',
  ERR_HERD_LOCK_TIMEOUT: 'A lock() waiter did not get the lock within `wait` ms.',
  ERR_HERD_LOCK_REENTRANT: 'lock() was called for a lock that the same call chain already holds.',
  ERR_HERD_STORE_FULL: 'A store write would take the store past `storeMaxBytes`.',
  ERR_HERD_NOT_A_NUMBER: 'store.incr() found a value that is not a number.',
  ERR_HERD_METRICS: 'The metrics server could not listen on its port and host.',
  ERR_HERD_DASHBOARD: 'The dashboard could not listen on its port and host, or its token file could not be written.',
  ERR_HERD_LOG_FILE: 'The log file could not be opened, reopened or written.',
  ERR_HERD_HOME: 'HERD_HOME (or `home`) is unsafe or unusable: a symbolic link, not owned by you, writable by others, not a folder.',
  ERR_HERD_PRIMARY_MODULE: 'The `primary` module threw, had a syntax error or did not finish loading.',
  ERR_HERD_UNSAFE_PATH: 'A path points into /proc, /sys, /dev or another pseudo-filesystem.',
  ERR_HERD_REDIS_MISSING: '`redis` is set but the `redis` package (node-redis) is not installed beside herd.',
  ERR_HERD_REDIS_UNAVAILABLE: 'Redis could not be reached: a store or lock call gave up after its timeout.',
  ERR_HERD_HOST_TAKEN: 'Another running herd of the same name already uses this `host` name on this Redis.',
  ERR_HERD_FLEET_BUFFER_FULL: 'Messages to other hosts, buffered while Redis is down, passed the bound; this one was dropped.',
} as const;

export type HerdErrorCode = keyof typeof ERROR_CODES;

export class HerdError extends Error {
  readonly code: HerdErrorCode;

  constructor(code: HerdErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HerdError';
    this.code = code;
  }
}

/** Exit codes of the CLI, from the contract. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, NOT_RUNNING: 3 } as const;

const USAGE_CODES: ReadonlySet<HerdErrorCode> = new Set([
  'ERR_HERD_INVALID_OPTION',
  'ERR_HERD_UNKNOWN_OPTION',
  'ERR_HERD_CONFIG_LOAD',
  'ERR_HERD_USAGE',
  'ERR_HERD_SCRIPT_NOT_FOUND',
  'ERR_HERD_TYPESCRIPT',
  'ERR_HERD_HOME',
  'ERR_HERD_PRIMARY_MODULE',
  'ERR_HERD_UNSAFE_PATH',
  'ERR_HERD_REDIS_MISSING',
]);

export function exitCodeFor(error: unknown): number {
  // By code, not class: an error the primary answered over the control socket
  // (e.g. a reload refused for a bad config) arrives as a plain Error with its code.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code in ERROR_CODES)) return EXIT.FAILED;
  if (USAGE_CODES.has(code as HerdErrorCode)) return EXIT.USAGE;
  if (code === 'ERR_HERD_NOT_RUNNING') return EXIT.NOT_RUNNING;
  return EXIT.FAILED;
}

/** A plain-object form of an error, for the IPC channel (the control socket leaves the stack out). */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** For the control socket: what a client needs, without herd's internal stack paths. */
export function publicError(error: unknown): SerializedError {
  const { stack: _stack, ...rest } = serializeError(error);
  return rest;
}

export function deserializeError(data: SerializedError): Error {
  const error = new Error(data.message) as Error & { code?: string };
  error.name = data.name;
  if (data.code) error.code = data.code;
  if (data.stack) error.stack = data.stack;
  return error;
}
