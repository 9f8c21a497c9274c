import { unlinkSync } from 'node:fs';
import net from 'node:net';
import { prepareHome } from '../../config/home.js';
import { HerdError, publicError } from '../../errors.js';
import { socketFile, type LaunchInfo, type StatusResult } from '../../shared/control.js';
import type { LogWriter } from '../logs/writer.js';
import { Connections, reply } from './connections.js';
import { parseRequest, type Handlers } from './requests.js';
import { claimSocketFile } from './socket-file.js';

// The primary's control socket: `$HERD_HOME/<name>.sock`, in a 0700 folder,
// itself 0600, so only its owner can steer the herd.

export interface ControlTarget {
  status(): StatusResult;
  stop(): Promise<void>;
  /** Resolves with what the CLI reports (the new generation, what needs a restart). */
  reload(): Promise<unknown>;
  /** Resolves with a warning when the count overloads the machine. */
  scale(count: number): Promise<string | undefined>;
  /** How `herd start` ran (for `herd restart`); throws when it was the API. */
  launch(): LaunchInfo;
  logs: LogWriter;
}

export class ControlServer {
  readonly path: string;
  readonly #server: net.Server;
  readonly #connections: Connections;
  readonly #pending = new Set<Promise<void>>();
  readonly #handlers: Handlers;

  private constructor(path: string, server: net.Server, target: ControlTarget) {
    this.path = path;
    this.#server = server;
    this.#handlers = handlersFor(target);
    this.#connections = new Connections((socket, line) => this.#handle(socket, line));
    server.on('connection', (socket) => this.#connections.accept(socket));
  }

  /** Claims the socket for `name`; refuses when a live primary already holds it. */
  static async open(home: string, name: string, target: ControlTarget): Promise<ControlServer> {
    prepareHome(home);
    const path = socketFile(home, name);
    if (Buffer.byteLength(path) > 100) {
      throw new HerdError('ERR_HERD_CONTROL', `control socket path is too long for a Unix socket (${path}); set HERD_HOME to a shorter folder`);
    }
    const alreadyRunning = new HerdError('ERR_HERD_ALREADY_RUNNING', `an instance named "${name}" is already running (control socket ${path}); stop it first or choose another --name`);
    await claimSocketFile(path, alreadyRunning);

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
    server.unref();
    return control;
  }

  #handle(socket: net.Socket, line: string): void {
    const parsed = parseRequest(line);
    if ('error' in parsed) {
      reply(socket, { id: parsed.id, ok: false, error: publicError(parsed.error) });
      return;
    }
    const request = parsed.request;
    const handler = this.#handlers[request.cmd] as (r: typeof request, s: net.Socket) => Promise<unknown>;
    this.#connections.begin(socket);
    const run = handler(request, socket).then(
      (result) => {
        if (result !== FOLLOWING) reply(socket, { id: request.id, ok: true, result });
        this.#connections.end(socket, result === FOLLOWING);
      },
      (error: unknown) => {
        reply(socket, { id: request.id, ok: false, error: publicError(error) });
        this.#connections.end(socket);
      },
    );
    this.#pending.add(run);
    void run.finally(() => this.#pending.delete(run));
  }

  /** Answers what is under way, then closes every connection and removes the socket file. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    this.#server.close();
    this.#connections.closeAll();
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
}

/** Returned by a handler that keeps streaming (logs --follow) instead of answering once. */
export const FOLLOWING = Symbol('following');

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
    scale: async (req) => {
      const warning = await target.scale(req.count);
      return warning ? { warning } : undefined;
    },
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
