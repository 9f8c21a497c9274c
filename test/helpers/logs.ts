import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './herd.js';

// A temp folder for a log file, and reading it back as lines.

export function logFile(name = 'app.log'): { dir: string; path: string } {
  const dir = tempDir('herd-log-');
  return { dir, path: join(dir, name) };
}

/** The file's lines exactly as written (plain lines start with an ISO timestamp in files). */
export function readRawLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

export const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** The file's lines without the timestamp in front of plain lines, for tests about what follows it. */
export function readLines(path: string): string[] {
  return readRawLines(path).map((line) => line.replace(TIMESTAMP, ''));
}

/**
 * The file's text once it matches `pattern` (10 s at most, then as it is): a
 * worker's line can reach the log after the primary's ready line, since its
 * pipe is read apart from the IPC channel and written in batches.
 */
export async function waitForLog(path: string, pattern: RegExp, timeout = 10_000): Promise<string> {
  let text = readFileSync(path, 'utf8');
  for (const deadline = Date.now() + timeout; !pattern.test(text) && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 25));
    text = readFileSync(path, 'utf8');
  }
  return text;
}
