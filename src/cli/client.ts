import { readdirSync } from 'node:fs';
import net from 'node:net';
import { HerdError, deserializeError } from '../errors.js';
import { probe, socketFile, type ControlRequest, type ControlResponse } from '../shared/control.js';

// The CLI side of the control socket: one request, then its answer (and, for
// `logs`, the lines that come before it).

type RequestBody = ControlRequest extends infer R ? (R extends ControlRequest ? Omit<R, 'id'> : never) : never;

export interface Call {
  /** Resolves with the result, rejects with the primary's error. */
  result: Promise<unknown>;
  close(): void;
}

export function call(home: string, name: string, body: RequestBody, onLine?: (line: string) => void): Call {
  const path = socketFile(home, name);
  const socket = net.connect(path);
  const result = new Promise<unknown>((resolve, reject) => {
    let answered = false;
    let buffered = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ id: 1, ...body })}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const response = JSON.parse(buffered.slice(0, nl)) as ControlResponse;
        buffered = buffered.slice(nl + 1);
        if ('line' in response) {
          onLine?.(response.line);
          continue;
        }
        answered = true;
        socket.end();
        if (response.ok) resolve(response.result);
        else reject(deserializeError(response.error));
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        reject(new HerdError('ERR_HERD_NOT_RUNNING', `no running herd named "${name}" (no control socket at ${path})`));
      } else {
        reject(new HerdError('ERR_HERD_CONTROL', `control socket ${path}: ${error.message}`, { cause: error }));
      }
    });
    socket.once('close', () => {
      if (!answered) reject(new HerdError('ERR_HERD_CONTROL', `the herd "${name}" closed the control socket without answering`));
    });
  });
  return { result, close: () => socket.destroy() };
}

/** Names of the herds answering on a socket in `home` (a dead primary's socket file is skipped). */
export async function liveInstances(home: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(home).filter((f) => f.endsWith('.sock')).map((f) => f.slice(0, -'.sock'.length));
  } catch {
    return [];
  }
  const live = await Promise.all(names.map((name) => probe(socketFile(home, name))));
  return names.filter((_, i) => live[i]);
}
