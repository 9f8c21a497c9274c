import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HerdError } from '../errors.js';

// A TypeScript app runs through tsx's `--import` hook, found from the app's own
// folder (the app's dependency, not herd's), so the workers load it by URL
// whatever their working directory.

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

export function isTypeScript(script: string): boolean {
  return TS_EXTENSIONS.has(extname(script));
}

/** The file URL of tsx's loader for a .ts script, undefined for a JavaScript one; throws when tsx is missing. */
export function typescriptLoader(script: string): string | undefined {
  if (!isTypeScript(script)) return undefined;
  try {
    return pathToFileURL(createRequire(script).resolve('tsx')).href;
  } catch (error) {
    throw new HerdError(
      'ERR_HERD_TYPESCRIPT',
      `\`script\` is TypeScript (${script}) and tsx cannot be found from its folder: install it in the app (npm install --save-dev tsx) or build the app to JavaScript first and start the .js file`,
      { cause: error },
    );
  }
}
