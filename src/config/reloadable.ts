import type { ResolvedOptions } from './options.js';

// What `herd reload` can carry to the new generation, and what only a restart
// can: the name (the control socket), the balancer (node:cluster fixes it at the
// first fork), the `primary` module (loaded once in this process), the log
// destinations (opened by this process), the metrics and dashboard servers
// and the restart policy's history.

const RESTART_ONLY = ['name', 'balancer', 'primary', 'logs', 'restart', 'single', 'home', 'control', 'storeMaxBytes', 'sticky', 'metrics', 'dashboard', 'redis', 'host'] as const;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface Reconfiguration {
  /** The options the new generation runs with: `next`, except what needs a restart. */
  options: ResolvedOptions;
  /** Options that changed but need `herd restart`, e.g. `balancer ('round-robin' → 'os')`. */
  needsRestart: string[];
}

export function reconfigure(current: ResolvedOptions, next: ResolvedOptions): Reconfiguration {
  const needsRestart: string[] = [];
  const options = { ...next } as Record<string, unknown>;
  for (const key of RESTART_ONLY) {
    options[key] = current[key];
    if (key === 'logs') {
      for (const sub of Object.keys(current.logs) as Array<keyof ResolvedOptions['logs']>) {
        if (!same(current.logs[sub], next.logs[sub])) needsRestart.push(`logs.${sub} (${show(current.logs[sub])} → ${show(next.logs[sub])})`);
      }
    } else if (!same(current[key], next[key])) {
      needsRestart.push(`${key} (${show(redact(current[key]))} → ${show(redact(next[key]))})`);
    }
  }
  return { options: options as unknown as ResolvedOptions, needsRestart };
}

// The dashboard's token is a secret: a log line names that it changed, never its value.
function redact(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !('token' in value) || value.token === undefined) return value;
  return { ...value, token: '(secret)' };
}

function show(value: unknown): string {
  return value === undefined ? 'none' : JSON.stringify(value);
}
