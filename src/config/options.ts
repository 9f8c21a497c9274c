import type { RedisOptions } from './fleet.js';
// The options a user gives (HerdOptions) and the resolved form the engine runs on.

export type WorkerCount = number | 'auto';
export type Balancer = 'round-robin' | 'os' | 'least-connections' | 'sticky';
export const BALANCERS: readonly Balancer[] = ['round-robin', 'os', 'least-connections', 'sticky'];

export interface StickyOptions {
  /** The key is the first address in this request header (e.g. 'x-forwarded-for') instead of the client's IP. */
  header?: string;
}

export interface RestartOptions {
  /** First delay before a respawn, ms. */
  minDelay?: number;
  /** Largest delay before a respawn, ms. */
  maxDelay?: number;
  /** More restarts than this within `window` is a crash loop. */
  maxRestarts?: number;
  /** The crash-loop window, ms. */
  window?: number;
  /** A worker that was ready this long (ms) and then dies is replaced at once and not counted as a crash loop. */
  minUptime?: number;
}

export interface LogOptions {
  /** Also write every line to this file. */
  file?: string;
  /** Rotate the file when it reaches this many bytes (0: never). */
  maxSize?: number;
  /** Rotated files to keep. */
  maxFiles?: number;
  /** Write every line as a JSON object. */
  json?: boolean;
  /** Also write to the primary's stdout (default true). */
  terminal?: boolean;
  /** ISO timestamp in front of plain lines: true everywhere, false nowhere; default: in the file only. */
  timestamp?: boolean;
}

export interface MetricsOptions {
  /** 0: any free port (the primary logs which). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface DashboardOptions {
  /** 0: any free port (the primary logs which). */
  port: number;
  /** Default 127.0.0.1; any other host needs `token`. */
  host?: string;
  /** The actions' bearer token; default: a random one, written to $HERD_HOME/<name>.token. */
  token?: string;
}

export interface HerdOptions {
  script: string;
  args?: string[];
  env?: Record<string, string>;
  name?: string;
  workers?: WorkerCount;
  shutdownTimeout?: number;
  readyTimeout?: number;
  restart?: RestartOptions;
  logs?: LogOptions;
  balancer?: Balancer;
  sticky?: StickyOptions;
  primary?: string;
  /** Bytes the shared store may hold (keys, values, 64 per entry); 0: no limit. */
  storeMaxBytes?: number;
  /** Node flags for every worker (`execArgv`), e.g. ['--max-old-space-size=512']; a string is split on spaces. */
  nodeArgs?: string[] | string;
  /** Run the app inside the primary process (no fork). */
  single?: boolean;
  /** Where the control socket lives; default $HERD_HOME or ~/.herd. */
  home?: string;
  /** Listen on a control socket (default true for the CLI and the API). */
  control?: boolean;
  /** ms without a heartbeat before a ready worker is hung (default 30000; 0: off). */
  hangTimeout?: number;
  /** RSS limit per worker: bytes, or '512M', '1.5G'. */
  maxMemory?: number | string;
  /** Recycle a worker after this many requests (0: never). */
  maxRequests?: number;
  /** Each worker's limit is maxRequests + random(0..jitter). */
  maxRequestsJitter?: number;
  /** Serve Prometheus metrics from the primary: a port, or { port, host }. */
  metrics?: number | MetricsOptions;
  /** Serve the web dashboard from the primary: a port, or { port, host, token }. */
  dashboard?: number | DashboardOptions;
  /** Join a fleet of herds over Redis: a URL, or { url, prefix } (docs/many-hosts.md). */
  redis?: string | RedisOptions;
  /** This herd's name in the fleet (default os.hostname()). */
  host?: string;
}

export interface ResolvedOptions {
  script: string;
  args: string[];
  env: Record<string, string>;
  name: string;
  workers: number;
  shutdownTimeout: number;
  readyTimeout: number;
  restart: Required<RestartOptions>;
  logs: Required<Omit<LogOptions, 'file' | 'timestamp'>> & { file: string | undefined; timestamp: boolean | undefined };
  nodeArgs: string[];
  /** tsx's loader URL when `script` is TypeScript. */
  loader: string | undefined;
  balancer: Balancer;
  sticky: { header: string | undefined };
  primary: string | undefined;
  storeMaxBytes: number;
  single: boolean;
  home: string;
  control: boolean;
  hangTimeout: number;
  /** Bytes; 0: no limit. */
  maxMemory: number;
  maxRequests: number;
  maxRequestsJitter: number;
  metrics: Required<MetricsOptions> | undefined;
  dashboard: { port: number; host: string; token: string | undefined } | undefined;
  redis: Required<RedisOptions> | undefined;
  host: string;
}

export const DEFAULTS = Object.freeze({
  workers: 'auto' as WorkerCount,
  shutdownTimeout: 10_000,
  readyTimeout: 30_000,
  restart: Object.freeze({ minDelay: 100, maxDelay: 15_000, maxRestarts: 10, window: 60_000, minUptime: 1000 }),
  logs: Object.freeze({ maxSize: 0, maxFiles: 5, json: false, terminal: true }),
  balancer: 'round-robin' as Balancer,
  storeMaxBytes: 64 * 1024 * 1024,
  hangTimeout: 30_000,
});
