// HTTP throughput, side by side in one run: one node:http process, raw
// node:cluster, PM2 cluster mode and herd, same app and worker count.
// Targets take turns, round after round, and each keeps its best round: load
// from elsewhere on the machine only ever lowers a round, so the best one is
// the closest to what the target can do, and turns spread that load over all.
// Usage: node bench/http.mjs [--duration 6] [--warmup 2] [--rounds 3] [--workers 2] [--connections 10] [--apps hello,cpu-1ms]
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { options } from './lib/args.mjs';
import { startRawCluster } from './lib/cluster.mjs';
import { startHerd } from './lib/herd.mjs';
import { load, warmUp } from './lib/load.mjs';
import { startPm2 } from './lib/pm2.mjs';
import { freePort } from './lib/port.mjs';
import { main } from './lib/proc.mjs';
import { cpuMs } from './lib/procstat.mjs';
import { fmt, header, save, table } from './lib/report.mjs';
import { startSingle } from './lib/single.mjs';

const opts = options({ duration: 6, warmup: 2, rounds: 3, workers: os.availableParallelism(), connections: 10, apps: 'hello,cpu-1ms' });
const appPath = (name) => fileURLToPath(new URL(`./apps/${name}.cjs`, import.meta.url));

const TARGETS = {
  single: (app, port) => startSingle({ app, port }),
  'node:cluster': (app, port) => startRawCluster({ app, port, workers: opts.workers }),
  pm2: (app, port) => startPm2({ app, port, workers: opts.workers, name: 'bench-http' }),
  herd: (app, port) => startHerd({ app, port, workers: opts.workers, name: 'bench-http' }),
};

async function measure(target, app) {
  const port = await freePort();
  const server = await TARGETS[target](appPath(app), port);
  try {
    await warmUp(server.url, opts.warmup, opts.connections);
    // CPU per answered request, of every process of the target: less sensitive
    // than req/s to other load on the machine.
    const cpuBefore = cpuMs(server.pids());
    const result = await load({ url: server.url, connections: opts.connections, duration: opts.duration }).result;
    return { ...result, cpuUsPerReq: ((cpuMs(server.pids()) - cpuBefore) * 1000) / result.requests };
  } finally {
    await server.stop();
  }
}

/** The best round by req/s, with every round's req/s kept. */
function bestRun(runs) {
  const best = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  return { ...best, rounds: runs.map((r) => Math.round(r.rps)) };
}

await main(async () => {
  header('HTTP throughput', `node bench/http.mjs ${process.argv.slice(2).join(' ')}`.trim());
  console.log(`${opts.workers} workers for the clustered targets, ${opts.connections} keep-alive connections, ${opts.warmup} s warm-up + ${opts.duration} s measured per round, best of ${opts.rounds} rounds, autocannon in its own process\n`);
  const rounds = {};
  for (let round = 1; round <= opts.rounds; round++) {
    for (const app of opts.apps.split(',')) {
      rounds[app] ??= Object.fromEntries(Object.keys(TARGETS).map((t) => [t, []]));
      for (const target of Object.keys(TARGETS)) {
        process.stderr.write(`round ${round}: ${app} / ${target} ...\n`);
        rounds[app][target].push(await measure(target, app));
      }
    }
  }
  const results = {};
  for (const [app, byTarget] of Object.entries(rounds)) {
    results[app] = Object.fromEntries(Object.entries(byTarget).map(([t, runs]) => [t, bestRun(runs)]));
  }

  const rows = [];
  for (const [app, r] of Object.entries(results)) {
    const rps = (t) => r[t].rps;
    for (const target of Object.keys(TARGETS)) {
      const failures = r[target].non2xx + r[target].errors;
      rows.push([
        app,
        target,
        fmt.int(rps(target)),
        `${r[target].latencyP50} / ${r[target].latencyP99}`,
        fmt.int(r[target].cpuUsPerReq),
        fmt.ratio(rps(target) / rps('single')),
        target === 'herd' ? fmt.ratio(rps('herd') / rps('node:cluster')) : '',
        target === 'herd' ? fmt.ratio(rps('herd') / rps('pm2')) : '',
        String(failures),
        r[target].rounds.map(fmt.int).join(' / '),
      ]);
    }
  }
  console.log(table(['app', 'target', 'req/s', 'latency p50 / p99 (ms)', 'CPU µs / req', '× single', 'herd / cluster', 'herd / PM2', 'errors + non-2xx', 'req/s per round'], rows));
  console.log(`\nraw results: ${save('http', { options: opts, results, rounds })}`);
});
