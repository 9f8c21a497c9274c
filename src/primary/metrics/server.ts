import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HerdError } from '../../errors.js';
import type { AppMetricsSource } from './app-metrics.js';
import { herdRegistry, type HerdMetricsSource } from './herd-metrics.js';

// `GET /metrics` from the primary, in Prometheus text format: herd's own
// metrics and the app's prom-client metrics of every ready worker, aggregated
// by prom-client's AggregatorRegistry rules (sum unless the metric says otherwise).

/** How long a scrape waits for the workers; what arrived by then is served. */
export const SCRAPE_TIMEOUT_MS = 2000;

export class MetricsServer {
  readonly #server: http.Server;
  readonly url: string;

  private constructor(server: http.Server, url: string) {
    this.#server = server;
    this.url = url;
  }

  static async open(port: number, host: string, herd: HerdMetricsSource, app: AppMetricsSource): Promise<MetricsServer> {
    // Loaded only when metrics are on: the primary stays small otherwise.
    const prom = await import('prom-client');
    const own = herdRegistry(prom, herd);
    const scrape = async (): Promise<{ type: string; body: string }> => {
      // The app's own herd_* names would collide with herd's: herd's win.
      const lists = (await app.collect(SCRAPE_TIMEOUT_MS)).map((list) => list.filter((m) => !String((m as { name?: unknown }).name).startsWith('herd_')));
      const registries = [own];
      if (lists.some((l) => l.length > 0)) registries.push(prom.AggregatorRegistry.aggregate(lists));
      const merged = prom.Registry.merge(registries);
      return { type: merged.contentType, body: await merged.metrics() };
    };

    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: herd serves GET /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      scrape().then(
        ({ type, body }) => res.writeHead(200, { 'content-type': type }).end(req.method === 'HEAD' ? undefined : body),
        (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`herd could not collect the metrics: ${error.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(new HerdError('ERR_HERD_METRICS', `cannot serve metrics on ${host}:${port}: ${error.message}`, { cause: error }));
      });
      server.listen(port, host, () => resolve());
    });
    // The metrics port never keeps the primary alive on its own.
    server.unref();
    const address = server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return new MetricsServer(server, `http://${shown}:${address.port}/metrics`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
