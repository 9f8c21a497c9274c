import type net from 'node:net';
import { HerdError } from '../../errors.js';
import { MAX_WORKERS, type ControlCommand, type ControlRequest } from '../../shared/control.js';
import { isPlainObject } from '../../config/validate.js';

// Validates one request line from the control socket. Anything malformed gets
// an error answer; nothing here can throw into the primary.

export type Handlers = {
  [C in ControlCommand]: (request: Extract<ControlRequest, { cmd: C }>, socket: net.Socket) => Promise<unknown>;
};

type Parsed = { request: ControlRequest } | { id: number; error: HerdError };

const MAX_LOG_LINES = 100_000;

function bad(id: number, text: string): Parsed {
  return { id, error: new HerdError('ERR_HERD_BAD_REQUEST', text) };
}

export function parseRequest(line: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return bad(-1, 'request is not valid JSON');
  }
  if (!isPlainObject(value)) return bad(-1, 'request must be a JSON object');
  const id = value.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return bad(-1, '`id` must be an integer');
  switch (value.cmd) {
    case 'status':
    case 'stop':
    case 'reload':
    case 'reopen-logs':
    case 'launch':
      return { request: { id, cmd: value.cmd } };
    case 'scale': {
      const count = value.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_WORKERS) {
        return bad(id, `\`count\` must be an integer from 1 to ${MAX_WORKERS}, received ${JSON.stringify(count)}`);
      }
      return { request: { id, cmd: 'scale', count } };
    }
    case 'logs': {
      const lines = value.lines ?? 10;
      const follow = value.follow ?? false;
      if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 0 || lines > MAX_LOG_LINES) {
        return bad(id, `\`lines\` must be an integer from 0 to ${MAX_LOG_LINES}, received ${JSON.stringify(lines)}`);
      }
      if (typeof follow !== 'boolean') return bad(id, `\`follow\` must be true or false, received ${JSON.stringify(follow)}`);
      return { request: { id, cmd: 'logs', lines, follow } };
    }
    default:
      return bad(id, `unknown command ${JSON.stringify(value.cmd)}; expected status, stop, reload, scale, logs, reopen-logs or launch`);
  }
}
