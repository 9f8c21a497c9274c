import { closeSync, openSync, readSync } from 'node:fs';

// Follows a growing log file written by another process and counts the
// benchmark's lines in it (bench-line), plus its start and done markers.

const MARKER = /bench-(start|done) (\S+) (\d+)/g;

export function lineCounter(file) {
  let offset = 0;
  let rest = '';
  const state = { lines: 0, starts: new Map(), dones: new Map() };
  const buf = Buffer.allocUnsafe(4 * 2 ** 20);

  /** Reads what was appended since the last call. */
  function poll() {
    let fd;
    try { fd = openSync(file, 'r'); } catch { return state; }
    try {
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n === 0) break;
        offset += n;
        const text = rest + buf.toString('latin1', 0, n);
        const end = text.lastIndexOf('\n') + 1;
        rest = text.slice(end);
        const body = text.slice(0, end);
        for (let i = body.indexOf('bench-line '); i !== -1; i = body.indexOf('bench-line ', i + 11)) state.lines++;
        for (const m of body.matchAll(MARKER)) (m[1] === 'start' ? state.starts : state.dones).set(m[2], Number(m[3]));
      }
    } finally {
      closeSync(fd);
    }
    return state;
  }

  /** Polls until `workers` done markers and `expected` lines are in, or nothing new comes for `quietMs`. */
  async function until(workers, expected, { everyMs = 50, quietMs = 5_000, timeout = 300_000 } = {}) {
    const deadline = Date.now() + timeout;
    let lastGrowth = Date.now();
    let lastOffset = -1;
    for (;;) {
      poll();
      const now = Date.now();
      if (state.dones.size >= workers && state.lines >= expected) return { ...state, seenAt: now };
      if (offset !== lastOffset) {
        lastOffset = offset;
        lastGrowth = now;
      } else if (now - lastGrowth > (state.dones.size >= workers ? quietMs : 6 * quietMs)) {
        // Writers done (or stalled) yet lines missing: report the loss, do not hang.
        return { ...state, seenAt: lastGrowth, stalled: true };
      }
      if (now > deadline) return { ...state, seenAt: now, timedOut: true };
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  return { poll, until, state };
}
