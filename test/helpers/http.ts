import http from 'node:http';
import net from 'node:net';
import { Agent, request } from 'undici';

// Real HTTP against 127.0.0.1 with undici.

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export async function get(port: number, path = '/', dispatcher?: Agent): Promise<Reply> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { dispatcher, reset: dispatcher === undefined });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

export async function getJson<T = { pid: number; code: string }>(port: number, path = '/', dispatcher?: Agent): Promise<T> {
  const r = await get(port, path, dispatcher);
  if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${r.body}`);
  return JSON.parse(r.body) as T;
}

/**
 * Keeps `connections` keep-alive connections busy until stop() is called;
 * counts every outcome, so a test can assert that nothing failed.
 */
export interface LoadStats { ok: number; failed: number; errors: string[]; statuses: Record<number, number>; pids: Set<number>; byPid: Map<number, number> }

export function load(port: number, connections = 8, path = '/'): { stats: LoadStats; stop(): Promise<LoadStats> } {
  const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 });
  let running = true;
  const stats: LoadStats = { ok: 0, failed: 0, errors: [], statuses: {}, pids: new Set(), byPid: new Map() };
  const loops = Array.from({ length: connections }, async () => {
    while (running) {
      try {
        const res = await request(`http://127.0.0.1:${port}${path}`, { dispatcher: agent });
        const text = await res.body.text();
        stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode === 200) {
          stats.ok++;
          try {
            const { pid } = JSON.parse(text) as { pid: number };
            stats.pids.add(pid);
            stats.byPid.set(pid, (stats.byPid.get(pid) ?? 0) + 1);
          } catch { /* not JSON */ }
        } else stats.failed++;
      } catch (error) {
        stats.failed++;
        if (stats.errors.length < 20) stats.errors.push(String((error as Error).message ?? error));
      }
    }
  });
  let stopped: Promise<typeof stats> | undefined;
  return {
    stats,
    // Idempotent, so a test can also register it with t.after() for when an assertion fails first.
    stop() {
      running = false;
      stopped ??= Promise.all(loops).then(() => agent.close()).then(() => stats);
      return stopped;
    },
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1, for an app that must keep one port across restarts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One GET on a new connection from a given local address (e.g. 127.0.0.7); resolves with the JSON body. */
export function getFrom<T = { pid: number; code: string }>(port: number, localAddress: string, path = '/', headers: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path} answered ${res.statusCode}: ${body}`));
        else resolve(JSON.parse(body) as T);
      });
    });
    req.on('error', reject);
  });
}
