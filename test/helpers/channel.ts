import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from './herd.js';

/** Writes a config file that loads `module` (a fixture) in the primary; returns `--config <file>` arguments. */
export function primaryModule(dir: string, module: string): string[] {
  const file = join(dir, 'herd.config.json');
  writeFileSync(file, JSON.stringify({ primary: fixture(module) }));
  return ['--config', file];
}

/** Output lines of one worker matching `pattern` (tags stripped). */
export function linesOf(output: string, pattern: RegExp): string[] {
  return output.split('\n').map((l) => l.replace(/^[A-Z]+ \d+ [|!] /, '')).filter((l) => pattern.test(l));
}
