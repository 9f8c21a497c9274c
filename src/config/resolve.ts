import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { HerdError } from '../errors.js';
import { BALANCERS, DEFAULTS, type HerdOptions, type ResolvedOptions } from './options.js';
import {
  boolean,
  checkKeys,
  describe,
  integer,
  invalid,
  isPlainObject,
  nonEmptyString,
  oneOf,
} from './validate.js';
import { typescriptLoader } from './typescript.js';
import { resolveWorkerCount } from './workers.js';
import { HEALTH_KEYS, resolveHealth } from './health.js';
import { resolveDashboard } from './dashboard.js';
import { FLEET_KEYS, resolveFleet } from './fleet.js';
import { checkName } from './name.js';
import { pathString, refusePseudoFilesystem } from './paths.js';
import { snapshot } from './snapshot.js';

const KEYS = [
  'script', 'args', 'env', 'name', 'workers', 'shutdownTimeout', 'readyTimeout',
  'restart', 'logs', 'balancer', 'sticky', 'primary', 'single', 'home', 'control',
  'storeMaxBytes', 'nodeArgs', 'dashboard',
  ...HEALTH_KEYS,
  ...FLEET_KEYS,
] as const;
const RESTART_KEYS = ['minDelay', 'maxDelay', 'maxRestarts', 'window', 'minUptime'] as const;
const LOG_KEYS = ['file', 'maxSize', 'maxFiles', 'json', 'terminal', 'timestamp'] as const;
const STICKY_KEYS = ['header'] as const;
// An HTTP header name (RFC 9110 token).
const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Large enough for any real timeout, small enough for setTimeout (2^31-1 ms).
const MAX_MS = 2_147_483_647;

/** The default instance name: the script's base name without its extension. */
export function defaultName(script: string): string {
  return basename(script, extname(script)).replace(/[^A-Za-z0-9._-]/g, '_') || 'app';
}

export function herdHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.HERD_HOME || join(homedir(), '.herd');
}

function ms(key: string, value: unknown, min = 0): number {
  const n = integer(key, value, min, 'ms');
  if (n > MAX_MS) throw invalid(key, `at most ${MAX_MS} (ms)`, value);
  return n;
}

function storeBytes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid('storeMaxBytes', 'a non-negative integer (bytes; 0: no limit)', value);
  }
  return value;
}

export function resolveWorkers(value: unknown): number {
  if (value === 'auto') return resolveWorkerCount('auto');
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 1024) {
    return resolveWorkerCount(value);
  }
  throw invalid('workers', "'auto' or an integer from -1024 to 1024 (0: one per CPU, -k: CPUs minus k)", value);
}

/** Node flags for the workers: an array of strings, or one string split on spaces (no quoting). */
export function nodeArgs(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value;
  if (!Array.isArray(list) || !list.every((a) => typeof a === 'string' && a.length > 0)) {
    throw invalid('nodeArgs', "node flags: an array of non-empty strings or one string (e.g. '--max-old-space-size=512')", value);
  }
  if (list.length > 0 && !list[0]!.startsWith('-')) {
    throw invalid('nodeArgs', "node flags, starting with '-' (app arguments go in `args`)", list[0]);
  }
  return [...list];
}

function resolveHome(value: unknown, cwd: string): string {
  const key = value === undefined ? 'HERD_HOME' : 'home';
  const home = value === undefined ? resolve(cwd, herdHome()) : resolve(cwd, pathString('home', nonEmptyString('home', value)));
  refusePseudoFilesystem(key, home);
  return home;
}

/**
 * Validates options from any source (API, config file merged with CLI flags)
 * once, before anything starts, and fills in the defaults.
 */
export function resolveOptions(raw: unknown, cwd = process.cwd()): ResolvedOptions {
  const input = snapshot(raw);
  if (!isPlainObject(input)) throw invalid('options', 'an object', input);
  checkKeys('', input, KEYS);
  const o = input as Partial<HerdOptions> & Record<string, unknown>;

  if (o.script === undefined) {
    throw new HerdError('ERR_HERD_INVALID_OPTION', '`script` is required: the app file to run (e.g. herd start server.js)');
  }
  const script = resolve(cwd, pathString('script', nonEmptyString('script', o.script)));
  if (!existsSync(script) || !statSync(script).isFile()) {
    const why = existsSync(script) ? 'is not a file' : 'not found';
    throw new HerdError('ERR_HERD_SCRIPT_NOT_FOUND', `\`script\` must be an existing file, received ${JSON.stringify(o.script)} (${script} ${why})`);
  }

  let args: string[] = [];
  if (o.args !== undefined) {
    if (!Array.isArray(o.args) || !o.args.every((a) => typeof a === 'string')) {
      throw invalid('args', 'an array of strings', o.args);
    }
    o.args.forEach((arg: string, i) => {
      // The OS passes arguments as C strings: a NUL would cut one short, so Node refuses it.
      if (arg.includes('\0')) throw invalid(`args[${i}]`, 'a string without NUL bytes', arg);
    });
    args = [...o.args];
  }

  const env: Record<string, string> = {};
  if (o.env !== undefined) {
    if (!isPlainObject(o.env)) throw invalid('env', 'an object of strings', o.env);
    for (const [key, value] of Object.entries(o.env)) {
      if (key === '' || key.includes('=') || key.includes('\0')) {
        throw invalid('env', 'variable names that are not empty and hold no "=" or NUL byte', key);
      }
      if (typeof value !== 'string') throw invalid(`env.${key}`, 'a string', value);
      if (value.includes('\0')) throw invalid(`env.${key}`, 'a string without NUL bytes', value);
      env[key] = value;
    }
  }

  const name = checkName('name', o.name === undefined ? defaultName(script) : nonEmptyString('name', o.name));

  const restart: ResolvedOptions['restart'] = { ...DEFAULTS.restart };
  if (o.restart !== undefined) {
    if (!isPlainObject(o.restart)) throw invalid('restart', 'an object', o.restart);
    checkKeys('restart', o.restart, RESTART_KEYS);
    const r = o.restart;
    if (r.minDelay !== undefined) restart.minDelay = ms('restart.minDelay', r.minDelay);
    if (r.maxDelay !== undefined) restart.maxDelay = ms('restart.maxDelay', r.maxDelay);
    if (r.maxRestarts !== undefined) restart.maxRestarts = integer('restart.maxRestarts', r.maxRestarts, 0);
    if (r.window !== undefined) restart.window = ms('restart.window', r.window, 1);
    if (r.minUptime !== undefined) restart.minUptime = ms('restart.minUptime', r.minUptime);
    if (restart.maxDelay < restart.minDelay) {
      throw invalid('restart.maxDelay', `>= restart.minDelay (${restart.minDelay})`, restart.maxDelay);
    }
  }

  const logs: ResolvedOptions['logs'] = { ...DEFAULTS.logs, file: undefined, timestamp: undefined };
  if (o.logs !== undefined) {
    if (!isPlainObject(o.logs)) throw invalid('logs', 'an object', o.logs);
    checkKeys('logs', o.logs, LOG_KEYS);
    const l = o.logs;
    if (l.file !== undefined) {
      logs.file = resolve(cwd, pathString('logs.file', nonEmptyString('logs.file', l.file)));
      refusePseudoFilesystem('logs.file', logs.file);
    }
    if (l.maxSize !== undefined) logs.maxSize = integer('logs.maxSize', l.maxSize, 0, 'bytes');
    if (l.maxFiles !== undefined) logs.maxFiles = integer('logs.maxFiles', l.maxFiles, 1);
    if (l.json !== undefined) logs.json = boolean('logs.json', l.json);
    if (l.terminal !== undefined) logs.terminal = boolean('logs.terminal', l.terminal);
    if (l.timestamp !== undefined) logs.timestamp = boolean('logs.timestamp', l.timestamp);
  }

  const balancer = o.balancer === undefined ? DEFAULTS.balancer : oneOf('balancer', o.balancer, BALANCERS);
  const sticky: ResolvedOptions['sticky'] = { header: undefined };
  if (o.sticky !== undefined) {
    if (!isPlainObject(o.sticky)) throw invalid('sticky', "an object such as { header: 'x-forwarded-for' }", o.sticky);
    checkKeys('sticky', o.sticky, STICKY_KEYS);
    if (balancer !== 'sticky') {
      throw new HerdError('ERR_HERD_INVALID_OPTION', `\`sticky\` is set only with \`balancer\` 'sticky', received balancer ${describe(balancer)}`);
    }
    if (o.sticky.header !== undefined) {
      const header = nonEmptyString('sticky.header', o.sticky.header);
      if (!HEADER.test(header)) throw invalid('sticky.header', 'an HTTP header name', header);
      sticky.header = header.toLowerCase();
    }
  }

  let primary: string | undefined;
  if (o.primary !== undefined) {
    primary = resolve(cwd, pathString('primary', nonEmptyString('primary', o.primary)));
    if (!existsSync(primary) || !statSync(primary).isFile()) {
      const why = existsSync(primary) ? 'is not a file' : 'not found';
      throw new HerdError('ERR_HERD_SCRIPT_NOT_FOUND', `\`primary\` must be an existing file, received ${JSON.stringify(o.primary)} (${primary} ${why})`);
    }
  }

  return {
    script,
    args,
    env,
    name,
    // Only an absent key takes the default: `workers: null` is a mistake, not 'auto'.
    workers: resolveWorkers(o.workers === undefined ? DEFAULTS.workers : o.workers),
    shutdownTimeout: o.shutdownTimeout === undefined ? DEFAULTS.shutdownTimeout : ms('shutdownTimeout', o.shutdownTimeout),
    readyTimeout: o.readyTimeout === undefined ? DEFAULTS.readyTimeout : ms('readyTimeout', o.readyTimeout, 1),
    restart,
    logs,
    balancer,
    sticky,
    primary,
    storeMaxBytes: o.storeMaxBytes === undefined ? DEFAULTS.storeMaxBytes : storeBytes(o.storeMaxBytes),
    single: o.single === undefined ? false : boolean('single', o.single),
    home: resolveHome(o.home, cwd),
    control: o.control === undefined ? true : boolean('control', o.control),
    nodeArgs: o.nodeArgs === undefined ? [] : nodeArgs(o.nodeArgs),
    loader: typescriptLoader(script),
    ...resolveHealth(o),
    dashboard: o.dashboard === undefined ? undefined : resolveDashboard(o.dashboard),
    ...resolveFleet(o),
  };
}
