// Log throughput: lines/s from 2 workers through the primary into one file
// (`herd start --log-file`), side by side with one process writing the same
// lines straight to a file with pino, and PM2 cluster mode logging the same
// app to its log file. Counts every line and samples the writer's CPU and RSS.
// Usage: node bench/logs.mjs [--lines 200000] [--workers 2]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { options } from './lib/args.mjs';
import { startHerd } from './lib/herd.mjs';
import { lineCounter } from './lib/logfile.mjs';
import { startPm2 } from './lib/pm2.mjs';
import { main, onCleanup, start, waitFor } from './lib/proc.mjs';
import { sample } from './lib/procstat.mjs';
import { fmt, header, save, table } from './lib/report.mjs';

const opts = options({ lines: 200_000, workers: 2, lead: 3000 });
const APP = fileURLToPath(new URL('./apps/log-lines.cjs', import.meta.url));
const PINO_APP = fileURLToPath(new URL('./apps/log-lines-pino.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'herd-bench-logs-'));
onCleanup(() => rmSync(dir, { recursive: true, force: true }));

/** A clustered run: workers start writing together at `startAt`; the file is followed until every line is in. */
async function clustered(kind, startServer) {
  const file = join(dir, `${kind}.log`);
  const expected = opts.lines * opts.workers;
  const startAt = Date.now() + opts.lead;
  const server = await startServer(file, { BENCH_LINES: String(opts.lines), BENCH_START_AT: String(startAt) });
  const cpu = sample(server.primaryPid);
  const counter = lineCounter(file);
  let seen;
  try {
    seen = await counter.until(opts.workers, expected);
  } finally {
    cpu.stop();
    await server.stop();
  }
  // Counted again after the stop: lines flushed on exit count, lines lost show.
  const final = counter.poll();
  const t0 = Math.min(...final.starts.values());
  const late = [...final.starts.values()].some((t) => t > startAt + 100);
  return {
    kind,
    lines: final.lines,
    expected,
    lost: expected - final.lines,
    seconds: (seen.seenAt - t0) / 1000,
    linesPerSec: final.lines / ((seen.seenAt - t0) / 1000),
    lateStart: late,
    ...cpu.between(t0, seen.seenAt),
  };
}

async function pinoRun() {
  const file = join(dir, 'pino.log');
  const expected = opts.lines * opts.workers;
  const child = start(process.execPath, [PINO_APP, file, String(expected)], { label: 'pino' });
  const cpu = sample(child.pid, 50);
  const m = await waitFor(child, /bench-pino (\d+) (\d+)/, 300_000);
  cpu.stop();
  await child.exited;
  const [t0, t1] = [Number(m[1]), Number(m[2])];
  const final = lineCounter(file).poll();
  return {
    kind: 'pino',
    lines: final.lines,
    expected,
    lost: expected - final.lines,
    seconds: (t1 - t0) / 1000,
    linesPerSec: final.lines / ((t1 - t0) / 1000),
    ...cpu.between(t0, t1),
  };
}

await main(async () => {
  header('Log throughput', `node bench/logs.mjs ${process.argv.slice(2).join(' ')}`.trim());
  console.log(`${opts.workers} workers × ${fmt.int(opts.lines)} lines of ~90 bytes (pino: one process, all ${fmt.int(opts.lines * opts.workers)} lines), written as fast as the pipe takes them; CPU and RSS of the process that writes the file, sampled from /proc\n`);
  const runs = [];
  process.stderr.write('pino (one process, straight to the file) ...\n');
  runs.push(await pinoRun());
  process.stderr.write('pm2 ...\n');
  runs.push(await clustered('pm2', (file, env) => startPm2({ app: APP, workers: opts.workers, env, name: 'bench-logs', logFile: file })));
  process.stderr.write('herd ...\n');
  runs.push(await clustered('herd', (file, env) => startHerd({ app: APP, workers: opts.workers, env, name: 'bench-logs', logFile: file })));

  const herd = runs.find((r) => r.kind === 'herd');
  const writer = { pino: 'pino, one process → file', pm2: 'PM2 daemon', herd: 'herd primary (`--log-file`)' };
  const rows = runs.map((r) => [
    writer[r.kind],
    fmt.int(r.linesPerSec),
    r.kind === 'herd' ? '1.00×' : fmt.ratio(herd.linesPerSec / r.linesPerSec),
    `${fmt.int(r.lines)} / ${fmt.int(r.expected)}`,
    String(r.lost),
    fmt.pct(r.cpuPct),
    fmt.mb(r.peakRss),
  ]);
  console.log(table(['writer', 'lines/s', 'herd / this', 'lines in file', 'lost', 'writer CPU (% of a core)', 'writer peak RSS'], rows));
  if (runs.some((r) => r.lateStart)) console.log('\nnote: a worker started writing late (slow boot); lines/s counts from the first start');
  console.log(`\nraw results: ${save('logs', { options: opts, runs })}`);
});
