import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopback } from '../../config/dashboard.js';
import { prepareHome } from '../../config/home.js';
import { HerdError } from '../../errors.js';
import { actionRoutes, json, readRoutes, type Route } from './api.js';
import { LiveFeed } from './live.js';
import { renderPage } from './page.js';
import type { DashboardSource } from './source.js';
import { bearer, newToken, removeTokenFile, tokenFile, tokenMatches, writeTokenFile } from './token.js';

// The dashboard's HTTP server in the primary: the page, its two assets (built
// into dist/dashboard/ at install), and the API. Every action needs the
// bearer token; reading needs it too when the host is not a loopback address.
// On loopback, the Host header must name this server (a web page that
// rebinds its own DNS name to 127.0.0.1 must not read the herd).

export interface DashboardConfig {
  port: number;
  host: string;
  token: string | undefined;
  /** Where the token file goes ($HERD_HOME) and its name. */
  home: string;
  name: string;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Asset {
  type: string;
  body: Buffer;
}

/** The page's script and style, built by tsup beside this chunk; absent when running from source. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, type] of [['app.js', 'text/javascript; charset=utf-8'], ['app.css', 'text/css; charset=utf-8']] as const) {
    try {
      assets.set(`/assets/${name}`, { type, body: readFileSync(new URL(`./dashboard/${name}`, import.meta.url)) });
    } catch {
      // The page still works as a plain table.
    }
  }
  return assets;
}

export class DashboardServer {
  readonly #server: http.Server;
  readonly #live: LiveFeed;
  readonly url: string;
  readonly token: string;
  /** The token was made by herd (not `dashboard.token`): `herd start` prints it. */
  readonly generated: boolean;
  readonly tokenFile: string;

  private constructor(server: http.Server, live: LiveFeed, url: string, token: string, generated: boolean, file: string) {
    this.#server = server;
    this.#live = live;
    this.url = url;
    this.token = token;
    this.generated = generated;
    this.tokenFile = file;
  }

  static async open(config: DashboardConfig, source: DashboardSource): Promise<DashboardServer> {
    const token = config.token ?? newToken();
    const file = tokenFile(config.home, config.name);
    const loopback = isLoopback(config.host);
    const assets = loadAssets();
    const live = new LiveFeed(source);
    const reads = readRoutes(live);
    const actions = actionRoutes(source);
    const authorized = (req: http.IncomingMessage, query: URLSearchParams | undefined): boolean =>
      tokenMatches(bearer(req.headers.authorization) ?? query?.get('token') ?? undefined, token);
    let hosts: Set<string> = new Set();

    const server = http.createServer((req, res) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      if (loopback && !hosts.has((req.headers.host ?? '').toLowerCase())) {
        return json(res, 403, { error: { code: 'ERR_HERD_BAD_REQUEST', message: `the Host header must name this server (${[...hosts][0]})` } });
      }
      const url = new URL(req.url ?? '/', 'http://dashboard');
      const path = url.pathname;
      const method = req.method ?? 'GET';
      const action: Route | undefined = actions[path];
      if (action) {
        if (method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
        // Only the header: a token in a URL could be replayed from a link or a log.
        if (!tokenMatches(bearer(req.headers.authorization), token)) {
          res.setHeader('www-authenticate', 'Bearer realm="herd"');
          return json(res, 401, { error: { code: 'ERR_HERD_BAD_REQUEST', message: 'this action needs the header Authorization: Bearer <token> (the token herd start printed, also in $HERD_HOME/<name>.token)' } });
        }
        return action(req, res);
      }
      if (method !== 'GET' && method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
      const asset = assets.get(path);
      if (asset) return void res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' }).end(method === 'HEAD' ? undefined : asset.body);
      const read = reads[path];
      if (read === undefined && path !== '/') return json(res, 404, { error: { code: 'ERR_HERD_BAD_REQUEST', message: `not found: ${path}` } });
      if (!loopback && !authorized(req, url.searchParams)) {
        res.setHeader('www-authenticate', 'Bearer realm="herd"');
        return json(res, 401, { error: { code: 'ERR_HERD_BAD_REQUEST', message: `this dashboard listens beyond loopback: reading needs the token too (Authorization: Bearer, or ?token=)` } });
      }
      if (read) return read(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(method === 'HEAD' ? undefined : renderPage(live.snapshot(), assets.has('/assets/app.js')));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) => {
          reject(new HerdError('ERR_HERD_DASHBOARD', `cannot serve the dashboard on ${config.host}:${config.port}: ${error.message}`, { cause: error }));
        });
        server.listen(config.port, config.host, () => resolve());
      });
      // Without a control socket, the home may not exist yet.
      prepareHome(config.home);
      writeTokenFile(file, token);
    } catch (error) {
      live.close();
      server.close();
      throw error;
    }
    // The dashboard never keeps the primary alive on its own.
    server.unref();
    const address = server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    hosts = new Set([`${shown}:${address.port}`, `localhost:${address.port}`, `127.0.0.1:${address.port}`, `[::1]:${address.port}`]);
    return new DashboardServer(server, live, `http://${shown}:${address.port}/`, token, config.token === undefined, file);
  }

  close(): Promise<void> {
    removeTokenFile(this.tokenFile, this.token);
    this.#live.close();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
