import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './herd.js';

// A temp folder for a log file, and reading it back as lines.

export function logFile(name = 'app.log'): { dir: string; path: string } {
  const dir = tempDir('herd-log-');
  return { dir, path: join(dir, name) };
}

export function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}
