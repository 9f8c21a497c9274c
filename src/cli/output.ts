import { HerdError } from '../errors.js';
import type { StatusResult } from '../shared/control.js';
import { formatBytes, formatMs, formatPercent } from '../primary/health/units.js';

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

const orDash = <T>(value: T | null | undefined, format: (v: T) => string): string => (value === null || value === undefined ? '-' : format(value));

export function statusTable(status: StatusResult): string {
  const p = status.primary;
  const head = [
    `herd "${status.name}"  primary pid ${status.pid}  up ${duration(Date.now() - status.startedAt)}  generation ${status.generation}${status.single ? '  (single)' : ''}${status.balancer ? `  balancer ${status.balancer}` : ''}`,
    `primary: cpu ${formatPercent(p.cpu)}  mem ${formatBytes(p.memory.rss)}  loop p99 ${formatMs(p.eventLoopDelay.p99)}${status.metrics ? `  metrics ${status.metrics}` : ''}${status.dashboard ? `  dashboard ${status.dashboard}` : ''}`,
  ];
  const rows = [['CODE', 'PID', 'STATE', 'UPTIME', 'RESTARTS', 'GEN', 'CPU', 'MEM', 'HEAP', 'LOOP P99', 'CONNS', 'REQS']];
  for (const w of status.workers) {
    rows.push([
      w.code, String(w.pid), w.state, duration(w.uptime), String(w.restarts), String(w.generation),
      orDash(w.cpu, formatPercent), orDash(w.memory, (m) => formatBytes(m.rss)), orDash(w.memory, (m) => formatBytes(m.heapUsed)),
      orDash(w.eventLoopDelay, (d) => formatMs(d.p99)), orDash(w.connections, String), orDash(w.requests, String),
    ]);
  }
  return [...head, table(rows), ...fleetLines(status)].join('\n');
}

/** With `redis`: the other hosts of the fleet. */
function fleetLines(status: StatusResult): string[] {
  const fleet = status.fleet;
  if (!fleet) return [];
  const lines = ['', `fleet: this host ${fleet.host}  redis ${fleet.redis}${fleet.buffered > 0 ? `  ${fleet.buffered} batches buffered` : ''}  other hosts ${fleet.hosts.length}`];
  if (fleet.hosts.length === 0) return lines;
  const rows = [['HOST', 'PID', 'WORKERS', 'CODES', 'LAST SEEN']];
  for (const h of fleet.hosts) rows.push([h.host, String(h.pid), String(h.workers), h.codes.join(','), `${(h.lastSeen / 1000).toFixed(1)}s ago`]);
  return [...lines, table(rows)];
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
