// Shared-state benchmark: herd's store and lock against a local Redis used
// through node-redis, from the same 2 workers, in one run. Redis
// (Debian's redis-server) is started here on a free port without
// persistence and stopped by pid.
// Each operation runs in turns with its Redis counterpart for 3 rounds; the
// best round of each counts (load from elsewhere on the machine only lowers a round).
// Usage: npm run build && node bench/state.mjs [--duration 3000] [--concurrency 16] [--rounds 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { options } from './lib/args.mjs';
import { startHerd } from './lib/herd.mjs';
import { freePort } from './lib/port.mjs';
import { main, onCleanup, start, stopPids, waitFor } from './lib/proc.mjs';
import { fmt, header, save, table } from './lib/report.mjs';

const opts = options({ duration: 3000, concurrency: 16, rounds: 3 });
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

function redisServer() {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server is not installed (Debian: apt-get install -y redis-server)');
  }
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'herd-bench-redis-'));
  const child = start(redisServer(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { label: 'redis-server' });
  onCleanup(async () => {
    await stopPids([child.pid]);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(child, /Ready to accept connections/);
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid };
}

await main(async () => {
  header('Shared state: herd store and lock vs Redis (node-redis), 2 workers', `node bench/state.mjs --duration ${opts.duration} --concurrency ${opts.concurrency} --rounds ${opts.rounds}`);
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'herd-bench-state-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ primary: here('./state/primary.mjs') }));
  const herd = await startHerd({
    app: here('./state/app.mjs'),
    workers: 2,
    name: 'bench-state',
    extraArgs: ['--config', config],
    env: { REDIS_URL: redis.url, REDIS_PID: String(redis.pid), BENCH_DURATION: String(opts.duration), BENCH_CONCURRENCY: String(opts.concurrency), BENCH_ROUNDS: String(opts.rounds) },
  });
  onCleanup(() => herd.stop());
  await waitFor(herd.child, /RESULT end/, 600_000);
  const results = {};
  const perRound = {};
  for (const m of herd.child.output.matchAll(/RESULT (\{.*\})$/gm)) {
    const r = JSON.parse(m[1]);
    (perRound[r.name] ??= []).push(r.opsPerSec);
    if (!results[r.name] || r.opsPerSec > results[r.name].opsPerSec) results[r.name] = r;
  }

  const rows = [];
  for (const op of ['get', 'set', 'incr', 'lock']) {
    const h = results[`herd ${op}`];
    const r = results[`redis ${op}`];
    rows.push([
      op === 'lock' ? 'lock (contended, acquisitions/s)' : `store.${op} (small value)`,
      fmt.int(h.opsPerSec), fmt.int(r.opsPerSec), fmt.ratio(h.opsPerSec / r.opsPerSec),
      fmt.int(h.p50), fmt.int(r.p50), fmt.int(h.p99), fmt.int(r.p99),
      `${h.cpuPerOp.toFixed(1)} / ${r.cpuPerOp.toFixed(1)}`,
      `${perRound[`herd ${op}`].map(fmt.int).join(' / ')} · ${perRound[`redis ${op}`].map(fmt.int).join(' / ')}`,
    ]);
  }
  console.log(`2 workers × ${opts.concurrency} operations in flight each, ${opts.duration} ms per phase, best of ${opts.rounds} rounds (herd and Redis in turns). Latency in µs, of the best round. CPU per operation: both workers, the herd primary and redis-server together.\n`);
  console.log(table(['operation', 'herd ops/s', 'Redis ops/s', 'herd / Redis', 'herd p50', 'Redis p50', 'herd p99', 'Redis p99', 'CPU µs / op (herd / Redis)', 'ops/s per round (herd · Redis)'], rows));
  console.log(`\nraw results: ${save('state', { opts, results, perRound })}`);
});
