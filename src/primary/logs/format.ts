// Turns one captured line into the text the writer stores: plain lines get a
// `A 12345 | ` prefix (`!` for stderr) and, in files, an ISO timestamp; JSON
// object lines stay JSON with `worker` and `pid` added.

export type Stream = 'stdout' | 'stderr';

export interface LogLine {
  /** Worker code, or 'primary' for herd's own lines. */
  source: string;
  pid: number;
  stream: Stream;
  text: string;
  time: number;
  /** The line was longer than the cap and continues in the next one. */
  continued?: boolean;
}

export const CONTINUED_MARKER = ' [continued]';

const COLORS = [36, 33, 35, 32, 34, 31, 96, 93, 95, 92, 94, 91];

function colorFor(source: string): number {
  if (source === 'primary') return 90;
  let h = 0;
  for (const ch of source) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length]!;
}

function asJsonObject(text: string): Record<string, unknown> | undefined {
  if (text.length < 2 || text[0] !== '{' || text[text.length - 1] !== '}') return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// herd's tag goes under its own name unless the app's line already has that
// field with another value: then the app's is kept and herd's goes here.
const ALTERNATE: Record<string, string> = { worker: 'herdWorker', pid: 'herdPid', stream: 'herdStream' };

/**
 * Adds `fields` to a JSON object line, in front. The app's own bytes and
 * fields are kept as they are (JSON.parse would round big integers).
 */
function withFields(text: string, json: Record<string, unknown>, fields: Record<string, string | number>): string {
  let head = '';
  for (const [key, value] of Object.entries(fields)) {
    const name = !(key in json) ? key : json[key] === value ? undefined : ALTERNATE[key];
    if (name !== undefined && !(name in json)) head += `${JSON.stringify(name)}:${JSON.stringify(value)},`;
  }
  if (head === '') return text;
  const rest = text.slice(1).trimStart();
  return rest === '}' ? `{${head.slice(0, -1)}}` : `{${head}${rest}`;
}

// Lines come in bursts within one millisecond: one Date per millisecond, not per line.
let isoMs = Number.NaN;
let iso = '';

/** `new Date(ms).toISOString()`, remembered for the last millisecond asked. */
export function isoTime(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    iso = new Date(ms).toISOString();
  }
  return iso;
}

/** A plain line as `A 4111 | text`; with `timestamp`, an ISO time in front. JSON object lines stay JSON. */
export function formatText(line: LogLine, color: boolean, timestamp = false): string {
  const json = line.continued ? undefined : asJsonObject(line.text);
  if (json) return withFields(line.text, json, { worker: line.source, pid: line.pid });
  const marker = line.continued ? CONTINUED_MARKER : '';
  const prefix = `${line.source} ${line.pid} ${line.stream === 'stderr' ? '!' : '|'}`;
  const time = timestamp ? `${isoTime(line.time)} ` : '';
  return color ? `${time}\x1b[${colorFor(line.source)}m${prefix}\x1b[0m ${line.text}${marker}` : `${time}${prefix} ${line.text}${marker}`;
}

export function formatJson(line: LogLine): string {
  const json = line.continued ? undefined : asJsonObject(line.text);
  if (json) return withFields(line.text, json, { worker: line.source, pid: line.pid, stream: line.stream });
  return JSON.stringify({
    time: isoTime(line.time),
    worker: line.source,
    pid: line.pid,
    stream: line.stream,
    msg: line.text,
    ...(line.continued ? { continued: true } : {}),
  });
}
