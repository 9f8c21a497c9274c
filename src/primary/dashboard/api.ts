import type { IncomingMessage, ServerResponse } from 'node:http';
import { publicError } from '../../errors.js';
import { MAX_WORKERS } from '../../shared/control.js';
import type { LiveFeed } from './live.js';
import type { DashboardSource } from './source.js';
import { frame } from './sse.js';

// The JSON API under /api/. Reading: GET /api/status, GET /api/events (SSE).
// Actions, each with `Authorization: Bearer <token>` (checked by the server
// before it calls these): POST /api/reload, /api/scale { count }, /api/replace { code }.

const MAX_BODY = 4096;
const CODE = /^[A-Z]{1,4}$/;

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(`${JSON.stringify(body)}\n`);
}

function failure(res: ServerResponse, error: unknown): void {
  const err = publicError(error);
  const status = err.code === 'ERR_HERD_UNKNOWN_TARGET' ? 404 : err.code === 'ERR_HERD_BAD_REQUEST' ? 400 : 409;
  json(res, status, { error: err });
}

export function badRequest(res: ServerResponse, message: string): void {
  json(res, 400, { error: { name: 'HerdError', code: 'ERR_HERD_BAD_REQUEST', message } });
}

/** The request's JSON object body, or undefined after answering 400. */
function readBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    let text = '';
    let tooLong = false;
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_BODY && !tooLong) {
        tooLong = true;
        badRequest(res, `the body is longer than ${MAX_BODY} bytes`);
        resolve(undefined);
        req.destroy();
      }
    });
    req.once('end', () => {
      if (tooLong) return;
      let body: unknown;
      try {
        body = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        badRequest(res, 'the body is not JSON');
        return resolve(undefined);
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        badRequest(res, 'the body must be a JSON object');
        return resolve(undefined);
      }
      resolve(body as Record<string, unknown>);
    });
    req.once('error', () => resolve(undefined));
  });
}

export function readRoutes(live: LiveFeed): Record<string, Route> {
  return {
    '/api/status': (_req, res) => json(res, 200, live.status()),
    '/api/events': (req, res) => {
      if (!live.hub.add(req, res, frame('snapshot', live.snapshot()))) {
        json(res, 503, { error: { name: 'HerdError', code: 'ERR_HERD_BAD_REQUEST', message: 'too many dashboard streams are open' } });
      }
    },
  };
}

export function actionRoutes(source: DashboardSource): Record<string, Route> {
  return {
    '/api/reload': (req, res) => {
      void readBody(req, res).then((body) => {
        if (!body) return;
        source.reload().then((report) => json(res, 200, report), (error: unknown) => failure(res, error));
      });
    },
    '/api/scale': (req, res) => {
      void readBody(req, res).then((body) => {
        if (!body) return;
        const { count } = body;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_WORKERS) {
          return badRequest(res, `\`count\` must be an integer from 1 to ${MAX_WORKERS}, received ${JSON.stringify(count) ?? 'nothing'}`);
        }
        source.scale(count).then(() => json(res, 200, { workers: count }), (error: unknown) => failure(res, error));
      });
    },
    '/api/replace': (req, res) => {
      void readBody(req, res).then((body) => {
        if (!body) return;
        const { code } = body;
        if (typeof code !== 'string' || !CODE.test(code)) {
          return badRequest(res, `\`code\` must be a worker code such as "A", received ${JSON.stringify(code) ?? 'nothing'}`);
        }
        source.replace(code).then(
          (info) => json(res, 200, { code: info.code, pid: info.pid, replacement: info.replacement }),
          (error: unknown) => failure(res, error),
        );
      });
    },
  };
}
