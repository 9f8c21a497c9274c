// herd's own accept path and its balancers against node:cluster's round-robin,
// side by side in one run:
//  1. throughput, 2 workers, 1 ms CPU handler (keep-alive connections), and the
//     accept path alone: a trivial handler, every request on a new connection;
//  2. p99 latency with a handler whose cost varies 1-50 ms (new connections);
//  3. socket.io: 200 clients with default transports across 2 workers (sticky by
//     header), broadcast echo messages/s against the same app in one process.
// Targets take turns, round after round; each keeps its best round (load from
// elsewhere only lowers a round). Usage:
// node bench/balancing.mjs [--duration 6] [--warmup 2] [--rounds 3] [--workers 2] [--connections 10] [--clients 200] [--parts throughput,varying,socketio]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { options } from './lib/args.mjs';
import { startRawCluster } from './lib/cluster.mjs';
import { startHerd } from './lib/herd.mjs';
import { load, warmUp } from './lib/load.mjs';
import { freePort } from './lib/port.mjs';
import { main } from './lib/proc.mjs';
import { cpuMs } from './lib/procstat.mjs';
import { fmt, header, save, table } from './lib/report.mjs';
import { startSingle } from './lib/single.mjs';

const opts = options({ duration: 6, warmup: 2, rounds: 3, workers: 2, connections: 10, clients: 200, parts: 'throughput,varying,socketio' });
const appPath = (name) => fileURLToPath(new URL(`./apps/${name}`, import.meta.url));
const CLOSE = { connection: 'close' };

/** herd with a config file (balancer, sticky, primary module). */
function herdWith(config) {
  return async (app, port) => {
    const dir = mkdtempSync(join(tmpdir(), 'herd-bench-cfg-'));
    const file = join(dir, 'herd.config.json');
    writeFileSync(file, JSON.stringify({ script: app, ...config }));
    const server = await startHerd({ app, port, workers: opts.workers, name: 'bench-balancing', extraArgs: ['--config', file] });
    const stop = server.stop.bind(server);
    return { ...server, stop: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); } };
  };
}

const HTTP_TARGETS = {
  'node:cluster RR': (app, port) => startRawCluster({ app, port, workers: opts.workers }),
  'herd round-robin': herdWith({ balancer: 'round-robin' }),
  'herd least-connections': herdWith({ balancer: 'least-connections' }),
  'herd sticky': herdWith({ balancer: 'sticky' }),
};

const SCENARIOS = {
  // The scenario: the cores are the bottleneck, connections are kept.
  'cpu-1ms, keep-alive': { app: 'cpu-1ms.cjs', headers: undefined, targets: Object.keys(HTTP_TARGETS), part: 'throughput' },
  // The accept path alone: nothing to do per request, a new connection for each.
  'hello, new connection per request': { app: 'hello.cjs', headers: CLOSE, targets: ['node:cluster RR', 'herd round-robin'], part: 'throughput' },
  // A worker busy with a long request should not get the next connection.
  'cpu 1-50 ms, new connection per request': { app: 'cpu-varying.cjs', headers: CLOSE, targets: ['node:cluster RR', 'herd round-robin', 'herd least-connections'], part: 'varying' },
};

async function measureHttp(target, scenario) {
  const port = await freePort();
  const server = await HTTP_TARGETS[target](appPath(scenario.app), port);
  try {
    await load({ url: server.url, connections: opts.connections, duration: opts.warmup, headers: scenario.headers, label: 'warm-up' }).result;
    // CPU per answered request, of every process of the target (primary included):
    // what the accept path costs, and much less sensitive than req/s to other load.
    const cpuBefore = cpuMs(server.pids());
    const result = await load({ url: server.url, connections: opts.connections, duration: opts.duration, headers: scenario.headers }).result;
    return { ...result, cpuUsPerReq: ((cpuMs(server.pids()) - cpuBefore) * 1000) / result.requests };
  } finally {
    await server.stop();
  }
}

const SOCKET_TARGETS = {
  'one process': (app, port) => startSingle({ app, port }),
  'herd sticky (x-forwarded-for)': herdWith({ balancer: 'sticky', sticky: { header: 'x-forwarded-for' }, primary: appPath('socket-io-primary.mjs') }),
};

/** 200 clients connect (polling, then upgrade); 10 of them shout in a closed loop; every delivery counts. */
async function measureSocketIo(target) {
  const port = await freePort();
  const server = await SOCKET_TARGETS[target](appPath('socket-io-echo.mjs'), port);
  const clients = [];
  try {
    let connectErrors = 0;
    let delivered = 0;
    const started = Date.now();
    for (let i = 0; i < opts.clients; i++) {
      const socket = io(`http://127.0.0.1:${port}`, { forceNew: true, extraHeaders: { 'x-forwarded-for': `10.9.${i >> 8}.${i & 255}` } });
      socket.on('connect_error', () => connectErrors++);
      socket.on('shout', () => delivered++);
      clients.push(socket);
    }
    const deadline = Date.now() + 60_000;
    while (!clients.every((s) => s.connected && s.io.engine?.transport.name === 'websocket') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const upgraded = clients.filter((s) => s.connected && s.io.engine?.transport.name === 'websocket').length;
    const connectMs = Date.now() - started;
    let running = true;
    for (const socket of clients.slice(0, 10)) {
      let n = 0;
      socket.on('shout', (msg) => {
        if (running && msg.from === socket.id) socket.emit('shout', { from: socket.id, n: ++n });
      });
      socket.emit('shout', { from: socket.id, n });
    }
    await new Promise((r) => setTimeout(r, opts.warmup * 1000));
    const before = delivered;
    await new Promise((r) => setTimeout(r, opts.duration * 1000));
    const perSecond = (delivered - before) / opts.duration;
    running = false;
    return { upgraded, connectErrors, connectMs, perSecond };
  } finally {
    for (const s of clients) s.close();
    await server.stop();
  }
}

const best = (runs, key) => runs.reduce((a, b) => (b[key] > a[key] ? b : a));

await main(async () => {
  header('Balancing', `node bench/balancing.mjs ${process.argv.slice(2).join(' ')}`.trim());
  console.log(`${opts.workers} workers, ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s measured per round, best of ${opts.rounds} rounds (targets take turns), autocannon in its own process\n`);
  const parts = opts.parts.split(',');
  const runs = {};
  const sio = {};
  for (let round = 1; round <= opts.rounds; round++) {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (!parts.includes(scenario.part)) continue;
      runs[name] ??= {};
      // Alternate the order each round, so neither side always runs first.
      const order = round % 2 ? scenario.targets : [...scenario.targets].reverse();
      for (const target of order) {
        process.stderr.write(`round ${round}: ${name} / ${target} ...\n`);
        (runs[name][target] ??= []).push(await measureHttp(target, scenario));
      }
    }
    if (parts.includes('socketio')) {
      for (const target of Object.keys(SOCKET_TARGETS)) {
        process.stderr.write(`round ${round}: socket.io / ${target} ...\n`);
        (sio[target] ??= []).push(await measureSocketIo(target));
      }
    }
  }

  const rows = [];
  for (const [name, byTarget] of Object.entries(runs)) {
    const ref = best(byTarget['node:cluster RR'], 'rps');
    for (const [target, list] of Object.entries(byTarget)) {
      const r = best(list, 'rps');
      // CPU: the median over rounds (best-of would favour whichever round had the machine to itself).
      const cpu = (l) => [...l.map((x) => x.cpuUsPerReq)].sort((a, b) => a - b)[Math.floor(l.length / 2)];
      rows.push([name, target, fmt.int(r.rps), `${r.latencyP50} / ${r.latencyP99}`, fmt.ratio(r.rps / ref.rps),
        fmt.int(cpu(list)), fmt.ratio(cpu(byTarget['node:cluster RR']) / cpu(list)),
        String(r.non2xx + r.errors), list.map((x) => fmt.int(x.rps)).join(' / '), list.map((x) => x.latencyP99).join(' / ')]);
    }
  }
  if (rows.length) console.log(table(['scenario', 'target', 'req/s', 'latency p50 / p99 (ms)', '× node:cluster RR', 'CPU µs / req (median)', 'CPU efficiency × node:cluster RR', 'errors + non-2xx', 'req/s per round', 'p99 per round (ms)'], rows));

  if (Object.keys(sio).length) {
    const one = best(sio['one process'], 'perSecond');
    const srows = Object.entries(sio).map(([target, list]) => {
      const r = best(list, 'perSecond');
      return [target, `${r.upgraded} / ${opts.clients}`, String(list.reduce((n, x) => n + x.connectErrors, 0)), fmt.int(r.connectMs), fmt.int(r.perSecond), fmt.ratio(r.perSecond / one.perSecond), list.map((x) => fmt.int(x.perSecond)).join(' / ')];
    });
    console.log(`\nsocket.io, ${opts.clients} clients (default transports), 10 shouting in a closed loop, every delivery counted:\n`);
    console.log(table(['target', 'upgraded to WebSocket', 'connect errors (all rounds)', 'connect all (ms)', 'deliveries/s', '× one process', 'deliveries/s per round'], srows));
  }
  console.log(`\nraw results: ${save('balancing', { options: opts, runs, sio })}`);
});
