// The price of the dashboard, in one run:
// 1. the primary's CPU at idle (2 workers, hello app): dashboard off, on with
//    no page, on with 5 pages connected (5 SSE streams); goal: under 5 % of a core;
// 2. HTTP throughput with the 1 ms CPU handler: dashboard off versus on with
//    5 SSE streams connected; best of the rounds; goal: within 2 % (on / off >= 0.98).
// Usage: node bench/dashboard.mjs [--workers 2] [--idle 10] [--duration 5] [--warmup 2] [--rounds 2] [--connections 10] [--clients 5]
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { options } from './lib/args.mjs';
import { startHerd } from './lib/herd.mjs';
import { load, warmUp } from './lib/load.mjs';
import { freePort } from './lib/port.mjs';
import { main, waitFor } from './lib/proc.mjs';
import { sample } from './lib/procstat.mjs';
import { fmt, header, save, table } from './lib/report.mjs';

const opts = options({ workers: 2, idle: 10, duration: 5, warmup: 2, rounds: 2, connections: 10, clients: 5 });
const appPath = (name) => fileURLToPath(new URL(`./apps/${name}.cjs`, import.meta.url));

/** Opens `count` SSE streams to the dashboard, as that many browsers would; each reads and drops what it gets. */
async function watchers(server, count) {
  const url = (await waitFor(server.child, /dashboard on (http:\S+)/))[1];
  const streams = await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const req = http.get(`${url}api/events`, { agent: false }, (res) => {
      res.on('data', () => {});
      resolve(req);
    });
    req.once('error', reject);
  })));
  return { close: () => streams.forEach((req) => req.destroy()) };
}

async function start(app, port, dashboard) {
  return startHerd({ app, port, workers: opts.workers, name: 'bench-dashboard', extraArgs: dashboard ? ['--dashboard', '0'] : [] });
}

/** The primary's mean CPU (% of one core) over `seconds`, after a short settle. */
async function primaryIdle(server, seconds) {
  await new Promise((r) => setTimeout(r, 2000));
  const s = sample(server.primaryPid, 500);
  const from = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const to = Date.now();
  s.stop();
  return s.between(from, to).cpuPct;
}

await main(async () => {
  header('Dashboard: the primary at idle with pages watching, and HTTP throughput', `node bench/dashboard.mjs ${process.argv.slice(2).join(' ')}`.trim());

  // 1. Idle.
  const idle = {};
  for (const [target, dashboard, clients] of [['dashboard off', false, 0], ['dashboard on, no page', true, 0], [`dashboard on, ${opts.clients} pages`, true, opts.clients]]) {
    process.stderr.write(`idle: ${target} ...\n`);
    const server = await start(appPath('hello'), await freePort(), dashboard);
    const pages = clients > 0 ? await watchers(server, clients) : undefined;
    try {
      idle[target] = await primaryIdle(server, opts.idle);
    } finally {
      pages?.close();
      await server.stop();
    }
  }
  console.log(`${opts.workers} workers, hello app, ${opts.idle} s idle after a 2 s settle; the primary's mean CPU (% of one core); goal with pages: under 5 %\n`);
  console.log(table(['target', 'primary CPU', 'under 5 %'], Object.entries(idle).map(([t, cpu]) => [t, `${cpu.toFixed(2)} %`, cpu < 5 ? 'yes' : 'no'])));

  // 2. Throughput, taking turns; each keeps its best round.
  const targets = { 'dashboard off': 0, [`dashboard on, ${opts.clients} pages`]: opts.clients };
  const best = {};
  for (let round = 1; round <= opts.rounds; round++) {
    for (const [target, clients] of Object.entries(targets)) {
      process.stderr.write(`round ${round}: ${target} ...\n`);
      const port = await freePort();
      const server = await start(appPath('cpu-1ms'), port, clients > 0);
      const pages = clients > 0 ? await watchers(server, clients) : undefined;
      try {
        await warmUp(server.url, opts.warmup, opts.connections);
        const r = await load({ url: server.url, connections: opts.connections, duration: opts.duration }).result;
        if (!best[target] || r.rps > best[target].rps) best[target] = r;
      } finally {
        pages?.close();
        await server.stop();
      }
    }
  }
  const off = best['dashboard off'].rps;
  console.log(`\ncpu-1ms app, ${opts.workers} workers, ${opts.connections} keep-alive connections, ${opts.warmup} s warm-up + ${opts.duration} s measured, best of ${opts.rounds} rounds; goal: on / off >= 0.98\n`);
  console.log(table(['target', 'req/s', 'latency p50 / p99 (ms)', 'errors + non-2xx', 'this / off'], Object.entries(best).map(([t, r]) => [
    t, fmt.int(r.rps), `${r.latencyP50} / ${r.latencyP99}`, String(r.non2xx + r.errors), fmt.ratio(r.rps / off),
  ])));
  console.log(`\nraw results: ${save('dashboard', { options: opts, idlePrimaryCpuPct: idle, throughput: best })}`);
});
