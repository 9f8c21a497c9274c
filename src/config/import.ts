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

/** `Error: message` plus, for a syntax error, the `file:line` Node puts at the top of its stack. */
export function describeLoadError(error: unknown, file: string): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  const first = error.stack?.split('\n', 1)[0] ?? '';
  const where = first.includes(file) && /:\d+$/.test(first) ? first.replace(/^file:\/\//, '') : undefined;
  return where && !text.includes(where) ? `${text} (at ${where})` : text;
}
