import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HerdError } from '../errors.js';
import { describeLoadError, ImportTimeout, importWithin } from './import.js';
import { snapshot } from './snapshot.js';
import { isPlainObject } from './validate.js';

/** How long a config module may take to evaluate (its top-level awaits included). */
export const CONFIG_LOAD_TIMEOUT_MS = 10_000;

export const CONFIG_FILES = ['herd.config.js', 'herd.config.mjs', 'herd.config.cjs', 'herd.config.json'] as const;

export interface LoadedConfig {
  /** The file it came from; undefined when there is none. */
  file: string | undefined;
  config: Record<string, unknown>;
}

let loads = 0;

/**
 * A URL that evaluates the file anew: `herd reload` re-reads an edited config.
 * ESM caches by URL (hence the query); a CommonJS file also sits in require's
 * cache. Modules the config itself imports stay cached.
 */
function freshUrl(file: string): string {
  delete createRequire(file).cache[file];
  return `${pathToFileURL(file).href}?herd-load=${++loads}`;
}

/** Finds `herd.config.*` in `cwd` unless `explicit` names a file, and evaluates it. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  let file: string | undefined;
  if (explicit !== undefined) {
    if (explicit === '' || explicit.includes('\0')) {
      throw new HerdError('ERR_HERD_CONFIG_LOAD', `\`--config\` must name an existing file, received ${JSON.stringify(explicit)}`);
    }
    file = resolve(cwd, explicit);
    if (!existsSync(file)) {
      throw new HerdError('ERR_HERD_CONFIG_LOAD', `\`--config\` must name an existing file, received ${JSON.stringify(explicit)} (${file} not found)`);
    }
  } else {
    file = CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
    if (!file) return { file: undefined, config: {} };
  }

  let value: unknown;
  try {
    if (file.endsWith('.json')) {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } else {
      const mod = (await importWithin(file, CONFIG_LOAD_TIMEOUT_MS, freshUrl(file))) as { default?: unknown };
      value = mod.default ?? mod;
    }
  } catch (error) {
    if (error instanceof ImportTimeout) {
      throw new HerdError('ERR_HERD_CONFIG_LOAD', `config ${file} ${error.message} (a top-level await that never settles?)`);
    }
    throw new HerdError('ERR_HERD_CONFIG_LOAD', `cannot load config ${file}: ${describeLoadError(error, file)}`, { cause: error });
  }
  // Getters and Proxies are read once, here, each read guarded.
  try {
    value = snapshot(value);
  } catch (error) {
    const e = error as HerdError;
    throw new HerdError(e.code, `config ${file}: ${e.message}`, { cause: e.cause });
  }
  if (!isPlainObject(value)) {
    throw new HerdError('ERR_HERD_CONFIG_LOAD', `config ${file} must export an object, received ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return { file, config: { ...value } };
}

/** Paths in a config file are relative to the file's folder. */
export function configDir(loaded: LoadedConfig, cwd = process.cwd()): string {
  return loaded.file ? dirname(loaded.file) : cwd;
}
