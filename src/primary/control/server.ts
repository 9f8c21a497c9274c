import { chmodSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { HerdError, serializeError } from '../../errors.js';
import { MAX_REQUEST_BYTES, probe, socketFile, type ControlResponse, type LaunchInfo, type StatusResult } from '../../shared/control.js';
import type { LogWriter } from '../logs/writer.js';
import { parseRequest, type Handlers } from './requests.js';

// The primary's control socket: `$HERD_HOME/<name>.sock`, in a 0700 folder,
// itself 0600, so only its owner can steer the herd.

export interface ControlTarget {
  status(): StatusResult;
  stop(): Promise<void>;
  /** Resolves with what the CLI reports (the new generation, what needs a restart). */
  reload(): Promise<unknown>;
  scale(count: number): Promise<void>;
  /** How `herd start` ran (for `herd restart`); throws when it was the API. */
  launch(): LaunchInfo;
  logs: LogWriter;
}

export class ControlServer {
  readonly path: string;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #pending = new Set<Promise<void>>();
  readonly #handlers: Handlers;

  private constructor(path: string, server: net.Server, target: ControlTarget) {
    this.path = path;
    this.#server = server;
    this.#handlers = handlersFor(target);
    server.on('connection', (socket) => this.#serve(socket));
  }

  /** Claims the socket for `name`; refuses when a live primary already holds it. */
  static async open(home: string, name: string, target: ControlTarget): Promise<ControlServer> {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    if (statSync(home).uid === process.getuid?.()) chmodSync(home, 0o700);
    const path = socketFile(home, name);
    if (Buffer.byteLength(path) > 100) {
      throw new HerdError('ERR_HERD_CONTROL', `control socket path is too long for a Unix socket (${path}); set HERD_HOME to a shorter folder`);
    }
    const alreadyRunning = new HerdError('ERR_HERD_ALREADY_RUNNING', `an instance named "${name}" is already running (control socket ${path}); stop it first or choose another --name`);
    if (await probe(path)) throw alreadyRunning;
    // Nobody answers: a dead primary left it behind.
    try { unlinkSync(path); } catch { /* not there */ }

    const server = net.createServer();
    const control = new ControlServer(path, server, target);
    // The umask makes the socket 0600 from its first moment, not after a chmod.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw alreadyRunning;
      throw new HerdError('ERR_HERD_CONTROL', `cannot listen on control socket ${path}: ${(error as Error).message}`, { cause: error });
    } finally {
      process.umask(umask);
    }
    chmodSync(path, 0o600);
    server.unref();
    return control;
  }

  #serve(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) this.#handle(socket, line);
      }
      if (buffered.length > MAX_REQUEST_BYTES) {
        reply(socket, { id: -1, ok: false, error: serializeError(new HerdError('ERR_HERD_BAD_REQUEST', `request longer than ${MAX_REQUEST_BYTES} bytes`)) });
        socket.end();
      }
    });
  }

  #handle(socket: net.Socket, line: string): void {
    const parsed = parseRequest(line);
    if ('error' in parsed) {
      reply(socket, { id: parsed.id, ok: false, error: serializeError(parsed.error) });
      return;
    }
    const request = parsed.request;
    const handler = this.#handlers[request.cmd] as (r: typeof request, s: net.Socket) => Promise<unknown>;
    const run = handler(request, socket).then(
      (result) => { if (result !== FOLLOWING) reply(socket, { id: request.id, ok: true, result }); },
      (error: unknown) => reply(socket, { id: request.id, ok: false, error: serializeError(error) }),
    );
    this.#pending.add(run);
    void run.finally(() => this.#pending.delete(run));
  }

  /** Answers what is under way, then closes every connection and removes the socket file. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    this.#server.close();
    for (const socket of this.#sockets) socket.end();
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
}

/** Returned by a handler that keeps streaming (logs --follow) instead of answering once. */
export const FOLLOWING = Symbol('following');

function reply(socket: net.Socket, response: ControlResponse): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(response)}\n`);
}

// A follower that reads slower than the herd logs skips lines (and is told how
// many) rather than growing the primary's memory.
const FOLLOWER_MAX_BUFFER = 1024 * 1024;

function slowFollower(socket: net.Socket, id: number): (line: string) => void {
  let skipped = 0;
  return (line) => {
    if (socket.writableLength > FOLLOWER_MAX_BUFFER) {
      skipped++;
      return;
    }
    if (skipped > 0) {
      reply(socket, { id, line: `herd: ${skipped} lines skipped: this follower reads slower than the herd logs` });
      skipped = 0;
    }
    reply(socket, { id, line });
  };
}

function handlersFor(target: ControlTarget): Handlers {
  return {
    status: async () => target.status(),
    stop: async () => { await target.stop(); },
    reload: async () => target.reload(),
    scale: async (req) => { await target.scale(req.count); },
    logs: async (req, socket) => {
      for (const line of target.logs.tail(req.lines)) reply(socket, { id: req.id, line });
      if (!req.follow) return undefined;
      const unfollow = target.logs.follow(slowFollower(socket, req.id));
      socket.once('close', unfollow);
      return FOLLOWING;
    },
    launch: async () => target.launch(),
    'reopen-logs': async () => {
      if (!target.logs.reopen()) throw new HerdError('ERR_HERD_LOG_FILE', 'no log file is configured (--log-file or logs.file), nothing to reopen');
    },
  };
}
