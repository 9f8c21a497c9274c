import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function read(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parens.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const rss = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1] ?? NaN) * 1024;
    return { t: Date.now(), cpuMs: (ticks * 1000) / CLK_TCK, rss };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, ms) used so far by these processes together; gone ones count 0. */
export function cpuMs(pids) {
  return pids.reduce((sum, pid) => sum + (read(pid)?.cpuMs ?? 0), 0);
}

/** Samples one process's CPU time and RSS from /proc every `everyMs`. */
export function sample(pid, everyMs = 100) {
  const samples = [];
  const take = () => {
    const s = read(pid);
    if (s) samples.push(s);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
    },
    /** CPU use between two epoch ms (as % of one core) and peak RSS over the samples in it. */
    between(from, to) {
      const inside = samples.filter((s) => s.t >= from - everyMs && s.t <= to + everyMs);
      if (inside.length < 2) return { cpuPct: NaN, peakRss: NaN };
      const a = inside[0];
      const b = inside[inside.length - 1];
      return { cpuPct: ((b.cpuMs - a.cpuMs) / (b.t - a.t)) * 100, peakRss: Math.max(...inside.map((s) => s.rss)) };
    },
  };
}
