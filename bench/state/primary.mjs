// The primary module of the shared-state benchmark: runs each phase in both
// workers at once (channel.map), herd and Redis in turns, for a few rounds, and
// prints one RESULT line per phase and round.
import { readFileSync } from 'node:fs';
import { channel } from 'herd';

const duration = Number(process.env.BENCH_DURATION ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const PHASES = ['herd get', 'redis get', 'herd set', 'redis set', 'herd incr', 'redis incr', 'herd lock', 'redis lock'];

/** CPU µs the Redis server has used (Linux: utime + stime in clock ticks of 10 ms). */
function redisCpu() {
  const stat = readFileSync(`/proc/${process.env.REDIS_PID}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
}

let started = false;
channel.on('go', async () => {
  if (started) return;
  started = true;
  for (let round = 1; round <= rounds; round++) {
    for (const name of PHASES) {
      // A short warm-up, so JIT and connections are settled before the measured run.
      await channel.map('phase', name, Math.min(500, duration), concurrency, { timeout: 120_000 });
      const own = process.cpuUsage();
      const redis = redisCpu();
      const entries = await channel.map('phase', name, duration, concurrency, { timeout: 120_000 });
      const primary = process.cpuUsage(own);
      const failed = entries.find((e) => e.error);
      if (failed) throw failed.error;
      const samples = entries.flatMap((e) => e.value.samples).sort((a, b) => a - b);
      const opsPerSec = entries.reduce((n, e) => n + e.value.count / e.value.seconds, 0);
      // CPU of every process involved (both workers, this primary, Redis) per operation: what load elsewhere does not change much.
      const ops = entries.reduce((n, e) => n + e.value.count, 0);
      const cpu = entries.reduce((n, e) => n + e.value.cpu, 0) + primary.user + primary.system + (redisCpu() - redis);
      console.log(`RESULT ${JSON.stringify({ name, round, workers: entries.length, concurrency, opsPerSec, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), cpuPerOp: cpu / ops })}`);
    }
  }
  console.log('RESULT end');
});
