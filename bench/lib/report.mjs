import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

/** The machine line printed with every result, as docs/benchmarks.md shows it. */
export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.availableParallelism()} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function table(headers, rows) {
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export const fmt = {
  int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  ratio: (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a'),
  pct: (n) => (Number.isFinite(n) ? `${Math.round(n)} %` : 'n/a'),
  mb: (bytes) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MB` : 'n/a'),
};

/** Writes the raw numbers to bench/results/<name>-<time>.json (git-ignored). */
export function save(name, data) {
  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = `${RESULTS}${name}-${stamp}.json`;
  writeFileSync(file, `${JSON.stringify({ name, date: new Date().toISOString(), machine: machine(), ...data }, null, 2)}\n`);
  return file;
}

/** Prints the header every benchmark starts with: what ran, where, with which command. */
export function header(title, command) {
  console.log(`### ${title}\n\n\`${command}\` — ${new Date().toISOString()}\n\nmachine: ${machine()}\n`);
}
