// The price of health (heartbeat, stats, hang judge) and how fast a hang is
// repaired, in one run:
// 1. per-worker RSS and idle CPU: herd workers (heartbeat + stats on) versus
//    bare node:cluster workers, same app;
// 2. HTTP throughput with the 1 ms CPU handler: herd with health on (default
//    hangTimeout) versus herd with the hang judge off (--hang-timeout 0), with
//    node:cluster as the reference; best of the rounds;
// 3. hang to replacement serving: /spin blocks a worker for good; the time
//    from the request to its replacement's `listening` line (goal: hangTimeout + 1 s).
// Usage: node bench/health.mjs [--workers 2] [--idle 10] [--duration 5] [--warmup 2] [--rounds 2] [--connections 10] [--hang-timeout 2000] [--hangs 3]
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { options } from './lib/args.mjs';
import { startRawCluster } from './lib/cluster.mjs';
import { startHerd } from './lib/herd.mjs';
import { load, warmUp } from './lib/load.mjs';
import { freePort } from './lib/port.mjs';
import { main } from './lib/proc.mjs';
import { sample } from './lib/procstat.mjs';
import { fmt, header, save, table } from './lib/report.mjs';

const opts = options({ workers: 2, idle: 10, duration: 5, warmup: 2, rounds: 2, connections: 10, 'hang-timeout': 2000, hangs: 3 });
const appPath = (name) => fileURLToPath(new URL(`./apps/${name}.cjs`, import.meta.url));
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Mean RSS and CPU % of one core per worker, over `seconds` of idleness after a short settle. */
async function idleCost(server, seconds) {
  await new Promise((r) => setTimeout(r, 2000));
  const samplers = server.workerPids.map((pid) => sample(pid, 500));
  const from = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const to = Date.now();
  const per = samplers.map((s) => {
    s.stop();
    return s.between(from, to);
  });
  const mean = (f) => per.reduce((n, p) => n + f(p), 0) / per.length;
  return { rss: mean((p) => p.peakRss), cpuPct: mean((p) => p.cpuPct) };
}

async function throughput(start) {
  const port = await freePort();
  const server = await start(appPath('cpu-1ms'), port);
  try {
    await warmUp(server.url, opts.warmup, opts.connections);
    return await load({ url: server.url, connections: opts.connections, duration: opts.duration }).result;
  } finally {
    await server.stop();
  }
}

/** ms from sending /spin to the replacement worker's `listening` line. */
async function hangToReplacement(server, port) {
  const before = server.child.output.length;
  const sent = Date.now();
  const req = request({ host: '127.0.0.1', port, path: '/spin' });
  req.on('error', () => {});
  req.end();
  const deadline = sent + opts['hang-timeout'] + 30_000;
  for (;;) {
    const fresh = server.child.output.slice(before);
    if (/is hung/.test(fresh) && /^[A-Z]+ \d+ \| listening on/m.test(fresh.slice(fresh.search(/is hung/)))) return Date.now() - sent;
    if (Date.now() > deadline) throw new Error(`no replacement within ${deadline - sent} ms:\n${fresh}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

await main(async () => {
  header('Health: the price of the heartbeat and the time to repair a hang', `node bench/health.mjs ${process.argv.slice(2).join(' ')}`.trim());
  const W = opts.workers;
  const herdOn = (app, port, extraArgs = []) => startHerd({ app, port, workers: W, name: 'bench-health', extraArgs });

  // 1. Idle cost per worker.
  const idle = {};
  for (const [target, start] of [['node:cluster', (app, port) => startRawCluster({ app, port, workers: W })], ['herd', herdOn]]) {
    process.stderr.write(`idle: ${target} ...\n`);
    const server = await start(appPath('hello'), await freePort());
    try {
      idle[target] = await idleCost(server, opts.idle);
    } finally {
      await server.stop();
    }
  }
  console.log(`${W} workers, hello app, ${opts.idle} s idle after a 2 s settle; RSS is each worker's peak, CPU its mean (% of one core)\n`);
  console.log(table(['target', 'RSS per worker', 'idle CPU per worker', 'RSS herd − cluster'], [
    ['node:cluster', mb(idle['node:cluster'].rss), `${idle['node:cluster'].cpuPct.toFixed(2)} %`, ''],
    ['herd (health on)', mb(idle.herd.rss), `${idle.herd.cpuPct.toFixed(2)} %`, mb(idle.herd.rss - idle['node:cluster'].rss)],
  ]));

  // 2. Throughput, targets taking turns; each keeps its best round.
  const targets = {
    'node:cluster': (app, port) => startRawCluster({ app, port, workers: W }),
    'herd, hang judge off': (app, port) => herdOn(app, port, ['--hang-timeout', '0']),
    'herd, health on': (app, port) => herdOn(app, port),
  };
  const best = {};
  for (let round = 1; round <= opts.rounds; round++) {
    for (const [target, start] of Object.entries(targets)) {
      process.stderr.write(`round ${round}: ${target} ...\n`);
      const r = await throughput(start);
      if (!best[target] || r.rps > best[target].rps) best[target] = r;
    }
  }
  console.log(`\ncpu-1ms app, ${opts.connections} keep-alive connections, ${opts.warmup} s warm-up + ${opts.duration} s measured, best of ${opts.rounds} rounds\n`);
  console.log(table(['target', 'req/s', 'latency p50 / p99 (ms)', 'errors + non-2xx', 'health on / this'], Object.entries(best).map(([t, r]) => [
    t, fmt.int(r.rps), `${r.latencyP50} / ${r.latencyP99}`, String(r.non2xx + r.errors), fmt.ratio(best['herd, health on'].rps / r.rps),
  ])));

  // 3. Hang to replacement.
  const port = await freePort();
  const server = await herdOn(appPath('hang'), port, ['--hang-timeout', String(opts['hang-timeout'])]);
  const times = [];
  try {
    for (let i = 0; i < opts.hangs; i++) {
      process.stderr.write(`hang ${i + 1} ...\n`);
      times.push(await hangToReplacement(server, port));
      // Let the killed worker's exit settle before the next hang.
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await server.stop();
  }
  const goal = opts['hang-timeout'] + 1000;
  console.log(`\nhangTimeout ${opts['hang-timeout']} ms, ${W} workers; from the /spin request to the replacement's listening line\n`);
  console.log(table(['hang', 'to replacement (ms)', `within hangTimeout + 1 s (${goal} ms)`], times.map((t, i) => [String(i + 1), fmt.int(t), t <= goal ? 'yes' : 'no'])));
  console.log(`\nraw results: ${save('health', { options: opts, idle, throughput: best, hangToReplacementMs: times })}`);
});
