import { lstatSync, readdirSync, type Stats } from 'node:fs';
import net from 'node:net';
import { inspectHome } from '../config/home.js';
import { isValidName } from '../config/name.js';
import { HerdError, deserializeError, type SerializedError } from '../errors.js';
import { probe, socketFile, type ControlRequest } from '../shared/control.js';

// The CLI side of the control socket: one request, then its answer (and, for
// `logs`, the lines that come before it). Whatever answers is checked: a
// socket file some other program listens on is reported as such.

type RequestBody = ControlRequest extends infer R ? (R extends ControlRequest ? Omit<R, 'id'> : never) : never;

export interface Call {
  /** Resolves with the result, rejects with the primary's error. */
  result: Promise<unknown>;
  close(): void;
}

// The biggest answer is a status of 1,024 workers (well under 1 MiB).
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** Why the socket file at `path` cannot be a herd's; undefined when there is none to use. */
function checkSocketFile(name: string, home: string, path: string): HerdError | undefined {
  if (!inspectHome(home)) return new HerdError('ERR_HERD_NOT_RUNNING', `no running herd named "${name}" (HERD_HOME ${home} does not exist)`);
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch {
    return new HerdError('ERR_HERD_NOT_RUNNING', `no running herd named "${name}" (no control socket at ${path})`);
  }
  if (!stats.isSocket()) return new HerdError('ERR_HERD_CONTROL', `${path} is not a socket, so not a herd's control socket; move it away`);
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    return new HerdError('ERR_HERD_CONTROL', `the control socket ${path} belongs to uid ${stats.uid}, not to you (uid ${uid}); herd will not talk to it`);
  }
  return undefined;
}

type Answer = { line: string } | { ok: true; result: unknown } | { ok: false; error: SerializedError };

/** A herd's answer line, or undefined when it is not one. */
function parseAnswer(text: string): Answer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || (value as { id?: unknown }).id === undefined) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.line === 'string') return { line: v.line };
  if (v.ok === true) return { ok: true, result: v.result };
  const error = v.error as SerializedError | undefined;
  if (v.ok === false && typeof error === 'object' && error !== null && typeof error.message === 'string') return { ok: false, error };
  return undefined;
}

function notHerd(path: string, sample: string): HerdError {
  const shown = sample.length > 80 ? `${sample.slice(0, 80)}…` : sample;
  return new HerdError('ERR_HERD_CONTROL', `the program answering on ${path} is not a herd (it answered ${JSON.stringify(shown)})`);
}

export function call(home: string, name: string, body: RequestBody, onLine?: (line: string) => void): Call {
  let path: string;
  let refused: HerdError | undefined;
  try {
    path = socketFile(home, name);
    refused = checkSocketFile(name, home, path);
  } catch (error) {
    return { result: Promise.reject(error), close: () => {} };
  }
  if (refused) return { result: Promise.reject(refused), close: () => {} };

  const socket = net.connect(path);
  const result = new Promise<unknown>((resolve, reject) => {
    let answered = false;
    let buffered = '';
    const settle = (fn: () => void): void => {
      if (answered) return;
      answered = true;
      fn();
    };
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ id: 1, ...body })}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const answer = parseAnswer(text);
        if (!answer) {
          socket.destroy();
          return settle(() => reject(notHerd(path, text)));
        }
        if ('line' in answer) {
          onLine?.(answer.line);
          continue;
        }
        socket.end();
        return settle(() => (answer.ok ? resolve(answer.result) : reject(deserializeError(answer.error))));
      }
      if (buffered.length > MAX_ANSWER_BYTES) {
        socket.destroy();
        settle(() => reject(notHerd(path, buffered)));
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      settle(() => {
        if (error.code === 'ENOENT') {
          reject(new HerdError('ERR_HERD_NOT_RUNNING', `no running herd named "${name}" (no control socket at ${path})`));
        } else if (error.code === 'ECONNREFUSED') {
          reject(new HerdError('ERR_HERD_NOT_RUNNING', `no running herd named "${name}": nothing answers on ${path}, a socket left by a primary that is gone (the next herd start of "${name}" removes it)`));
        } else {
          reject(new HerdError('ERR_HERD_CONTROL', `control socket ${path}: ${error.message}`, { cause: error }));
        }
      });
    });
    socket.once('close', () => {
      settle(() => {
        if (buffered.trim() !== '' && !parseAnswer(buffered)) reject(notHerd(path, buffered));
        else reject(new HerdError('ERR_HERD_CONTROL', `the herd "${name}" closed the control socket without answering`));
      });
    });
  });
  return { result, close: () => socket.destroy() };
}

/** Names of the herds answering on a socket in `home` (a dead primary's socket file is skipped). */
export async function liveInstances(home: string): Promise<string[]> {
  if (!inspectHome(home)) return [];
  let names: string[];
  try {
    names = readdirSync(home).filter((f) => f.endsWith('.sock')).map((f) => f.slice(0, -'.sock'.length)).filter(isValidName);
  } catch {
    return [];
  }
  const live = await Promise.all(names.map((name) => probe(socketFile(home, name))));
  return names.filter((_, i) => live[i]);
}
