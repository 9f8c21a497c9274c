// The log ring holds lines as the terminal or file shows them (`A 4111 | text`,
// maybe an ISO time in front, or JSON objects with `worker` and `pid`). The
// page wants them in parts, to filter by worker.

export interface PageLogLine {
  /** Worker code, or 'primary'; '' when the line is not herd's format. */
  code: string;
  pid: number;
  stderr: boolean;
  text: string;
  /** ms since the epoch, when the line carries a time. */
  time?: number;
}

// The fields of herd's own JSON wrapper around a plain line (logs.json); anything else is the app's object.
const WRAPPER = new Set(['time', 'worker', 'pid', 'stream', 'msg', 'continued']);
const PLAIN = /^(?:(\d{4}-\d\d-\d\dT[\d:.]+Z) )?([A-Za-z]+) (\d+) ([|!]) ?(.*)$/s;

export function parseLogLine(line: string): PageLogLine {
  if (line.startsWith('{')) {
    try {
      const json = JSON.parse(line) as Record<string, unknown>;
      const code = typeof json.worker === 'string' ? json.worker : typeof json.herdWorker === 'string' ? json.herdWorker : '';
      const pid = typeof json.pid === 'number' ? json.pid : typeof json.herdPid === 'number' ? json.herdPid : 0;
      const stream = json.stream ?? json.herdStream;
      const text = typeof json.msg === 'string' && Object.keys(json).every((k) => WRAPPER.has(k)) ? json.msg : line;
      return { code, pid, stderr: stream === 'stderr', text };
    } catch {
      // Not JSON after all: shown as it is.
    }
  }
  const m = PLAIN.exec(line);
  if (!m) return { code: '', pid: 0, stderr: false, text: line };
  return { code: m[2]!, pid: Number(m[3]), stderr: m[4] === '!', text: m[5]!, ...(m[1] ? { time: Date.parse(m[1]) } : {}) };
}
