import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

// Loading a user's module (the config file, the `primary` module) with a
// deadline: a top-level await that never settles would otherwise leave Node
// to exit 13 without a word, or hang the start for good.

export class ImportTimeout extends Error {}

export function importWithin(file: string, ms: number, url = pathToFileURL(file).href): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // Ref'd on purpose: it keeps the event loop alive until the module settles or time is up.
    timer = setTimeout(() => reject(new ImportTimeout(`did not finish loading within ${ms} ms`)), ms);
  });
  return Promise.race([import(url), deadline]).finally(() => clearTimeout(timer));
}

/** Where a syntax error is: CJS puts `file:line` atop the stack; for ESM, Node's own check says it. */
function syntaxErrorLocation(error: Error, file: string): string | undefined {
  const first = error.stack?.split('\n', 1)[0] ?? '';
  if (first.includes(file) && /:\d+$/.test(first)) return first.replace(/^file:\/\//, '');
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 5_000 });
  const line = check.stderr?.split('\n', 1)[0] ?? '';
  return line.includes(file) && /:\d+$/.test(line) ? line.replace(/^file:\/\//, '') : undefined;
}

/** `message` (`Name: message` for other than a plain Error), and where a syntax error is. */
export function describeLoadError(error: unknown, file: string): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  const where = error.name === 'SyntaxError' ? syntaxErrorLocation(error, file) : undefined;
  return where && !text.includes(where) ? `${text} (at ${where})` : text;
}
