// The availability chaos loop: 2 workers under 32 keep-alive connections, a
// random serving worker SIGKILLed every 2 s for 60 s. Raw node:cluster with the
// naive `on('exit') → fork()`, PM2 cluster mode and herd, side by side, same
// app. Every failed request is classified: refused (ECONNREFUSED: the port was
// closed) or on a connection (reset, hang-up: the killed worker's own sockets).
// Usage: node bench/chaos.mjs [--seconds 60] [--every 2] [--connections 32] [--workers 2]
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { options } from './lib/args.mjs';
import { startRawCluster } from './lib/cluster.mjs';
import { startHerd } from './lib/herd.mjs';
import { startPm2 } from './lib/pm2.mjs';
import { freePort } from './lib/port.mjs';
import { isAlive, main } from './lib/proc.mjs';
import { fmt, header, save, table } from './lib/report.mjs';

const opts = options({ seconds: 60, every: 2, connections: 32, workers: 2 });
const APP = fileURLToPath(new URL('./apps/pid.cjs', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const TARGETS = {
  'node:cluster': (port) => startRawCluster({ app: APP, port, workers: opts.workers, respawn: true }),
  pm2: (port) => startPm2({ app: APP, port, workers: opts.workers, name: 'bench-chaos' }),
  herd: (port) => startHerd({ app: APP, port, workers: opts.workers, name: 'bench-chaos' }),
};

/** Keep-alive load until stopped; counts outcomes and remembers who answered lately. */
function chaosLoad(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const stats = { ok: 0, refused: 0, onConnection: 0, hung: 0, other: 0, lastSeen: new Map() };
  let running = true;
  const one = () => new Promise((resolve) => {
    // A request no worker ever answers (a connection the primary accepted and never
    // handed on) would stall the loop: after 5 s it counts as failed, "hung".
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => {
        if (res.statusCode === 200) {
          stats.ok++;
          stats.lastSeen.set(Number(body), Date.now());
        } else stats.other++;
        resolve();
      });
      res.on('error', () => { stats.onConnection++; resolve(); });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('hung'), { code: 'HUNG' })));
    req.on('error', (error) => {
      if (error.code === 'ECONNREFUSED') stats.refused++;
      else if (error.code === 'HUNG') stats.hung++;
      else stats.onConnection++;
      resolve();
    });
  });
  const loops = Array.from({ length: opts.connections }, async () => {
    while (running) await one();
  });
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return stats;
    },
  };
}

async function measure(kind) {
  const port = await freePort();
  const server = await TARGETS[kind](port);
  try {
    const run = chaosLoad(port);
    let kills = 0;
    const started = Date.now();
    while (Date.now() - started < opts.seconds * 1000) {
      await sleep(opts.every * 1000);
      const serving = [...run.stats.lastSeen].filter(([pid, at]) => Date.now() - at < opts.every * 1000 && isAlive(pid)).map(([pid]) => pid);
      const victim = serving[Math.floor(Math.random() * serving.length)];
      if (victim === undefined) continue;
      process.kill(victim, 'SIGKILL');
      run.stats.lastSeen.delete(victim);
      kills++;
    }
    const stats = await run.stop();
    await sleep(2000);
    // Still serving at the end?
    const alive = await new Promise((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => { res.resume(); resolve(res.statusCode === 200); })
        .on('error', () => resolve(false));
    });
    const failed = stats.refused + stats.onConnection + stats.hung + stats.other;
    console.error(`${kind}: ${kills} kills, ${stats.ok} ok, ${failed} failed (${stats.refused} refused), serving at the end: ${alive}`);
    return { kind, kills, ok: stats.ok, failed, refused: stats.refused, onConnection: stats.onConnection, hung: stats.hung, other: stats.other, alive };
  } finally {
    await server.stop();
  }
}

await main(async () => {
  header(`Chaos: a serving worker SIGKILLed every ${opts.every} s for ${opts.seconds} s, ${opts.workers} workers, ${opts.connections} keep-alive connections`, 'npm run bench (bench/chaos.mjs)');
  const results = [];
  for (const kind of Object.keys(TARGETS)) results.push(await measure(kind));
  const cluster = results.find((r) => r.kind === 'node:cluster');
  console.log(table(
    ['target', 'kills', 'requests ok', 'failed', 'refused (port closed)', 'hung 5 s (never answered)', 'on the killed workers\' connections', 'serving at the end', 'failed vs node:cluster'],
    results.map((r) => [r.kind, r.kills, fmt.int(r.ok), fmt.int(r.failed), fmt.int(r.refused), fmt.int(r.hung), fmt.int(r.onConnection + r.other), r.alive ? 'yes' : '**no**', fmt.ratio(r.failed / cluster.failed)]),
  ));
  const herd = results.find((r) => r.kind === 'herd');
  console.log(`\nGoal: herd's failed requests ≤ raw node:cluster's: ${herd.failed <= cluster.failed ? 'met' : 'not met'} (${herd.failed} vs ${cluster.failed}).`);
  console.log(`\nraw results: ${save('chaos', { opts, results })}`);
});
