import { HerdError } from '../errors.js';
import type { StatusResult } from '../shared/control.js';

/** `herd: <message> [<code>]`, as the CLI prints an error. */
export function failText(error: unknown): string {
  const code = error instanceof HerdError || (error as { code?: unknown })?.code ? ` [${(error as { code: string }).code}]` : '';
  const text = error instanceof Error ? error.message : String(error);
  return `herd: ${text}${code}`;
}

export function fail(error: unknown): void {
  process.stderr.write(`${failText(error)}\n`);
}

export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

export function statusTable(status: StatusResult): string {
  const head = `herd "${status.name}"  primary pid ${status.pid}  up ${duration(Date.now() - status.startedAt)}  generation ${status.generation}${status.single ? '  (single)' : ''}${status.balancer ? `  balancer ${status.balancer}` : ''}`;
  const rows = [['CODE', 'PID', 'STATE', 'UPTIME', 'RESTARTS', 'GEN', 'CONNS']];
  for (const w of status.workers) {
    rows.push([w.code, String(w.pid), w.state, duration(w.uptime), String(w.restarts), String(w.generation), w.connections === undefined ? '-' : String(w.connections)]);
  }
  return [head, table(rows)].join('\n');
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
