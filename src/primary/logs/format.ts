// Turns one captured line into the text the writer stores: plain lines get a
// `A 12345 | ` prefix, JSON object lines stay JSON with `worker` and `pid` added.

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

export function formatText(line: LogLine, color: boolean): string {
  const json = asJsonObject(line.text);
  if (json) return JSON.stringify({ ...json, worker: line.source, pid: line.pid });
  const marker = line.continued ? ' [continued]' : '';
  const err = line.stream === 'stderr' ? '!' : '|';
  const prefix = `${line.source} ${line.pid} ${err}`;
  return color ? `\x1b[${colorFor(line.source)}m${prefix}\x1b[0m ${line.text}${marker}` : `${prefix} ${line.text}${marker}`;
}

export function formatJson(line: LogLine): string {
  const json = asJsonObject(line.text);
  if (json) return JSON.stringify({ ...json, worker: line.source, pid: line.pid, stream: line.stream });
  return JSON.stringify({
    time: new Date(line.time).toISOString(),
    worker: line.source,
    pid: line.pid,
    stream: line.stream,
    msg: line.text,
    ...(line.continued ? { continued: true } : {}),
  });
}
