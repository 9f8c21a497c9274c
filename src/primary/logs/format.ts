// Turns one captured line into the text the writer stores: plain lines get a
// `A 12345 | ` prefix (`!` for stderr), JSON object lines stay JSON with
// `worker` and `pid` added.

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

/**
 * Adds `fields` to a JSON object line. The app's own bytes are kept as they
 * are (JSON.parse would round big integers), unless a field is already there
 * with another value: then the object is rebuilt with herd's value.
 */
function withFields(text: string, json: Record<string, unknown>, fields: Record<string, string | number>): string {
  let head = '';
  for (const [key, value] of Object.entries(fields)) {
    if (!(key in json)) head += `${JSON.stringify(key)}:${JSON.stringify(value)},`;
    else if (json[key] !== value) return JSON.stringify({ ...json, ...fields });
  }
  if (head === '') return text;
  const rest = text.slice(1).trimStart();
  return rest === '}' ? `{${head.slice(0, -1)}}` : `{${head}${rest}`;
}

export function formatText(line: LogLine, color: boolean): string {
  const json = line.continued ? undefined : asJsonObject(line.text);
  if (json) return withFields(line.text, json, { worker: line.source, pid: line.pid });
  const marker = line.continued ? CONTINUED_MARKER : '';
  const prefix = `${line.source} ${line.pid} ${line.stream === 'stderr' ? '!' : '|'}`;
  return color ? `\x1b[${colorFor(line.source)}m${prefix}\x1b[0m ${line.text}${marker}` : `${prefix} ${line.text}${marker}`;
}

export function formatJson(line: LogLine): string {
  const json = line.continued ? undefined : asJsonObject(line.text);
  if (json) return withFields(line.text, json, { worker: line.source, pid: line.pid, stream: line.stream });
  return JSON.stringify({
    time: new Date(line.time).toISOString(),
    worker: line.source,
    pid: line.pid,
    stream: line.stream,
    msg: line.text,
    ...(line.continued ? { continued: true } : {}),
  });
}
