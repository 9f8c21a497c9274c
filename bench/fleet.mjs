// Fleet benchmark: two herds (hosts h1 and h2, 2 workers each) on one Redis
// (Debian's redis-server, started here on a free port without persistence,
// stopped by pid). From worker A of h1: cross-host broadcast throughput
// against raw node-redis PUBLISH to the same two workers of h2, and the consume round trip (run on h2)
// against a raw XADD → XREADGROUP → XACK → PUBLISH round trip, in one run.
// Usage: npm run build && node bench/fleet.mjs [--messages 20000] [--calls 500]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { options } from './lib/args.mjs';
import { startHerd } from './lib/herd.mjs';
import { freePort } from './lib/port.mjs';
import { main, onCleanup, start, stopPids, waitFor } from './lib/proc.mjs';
import { fmt, header, save, table } from './lib/report.mjs';

const opts = options({ messages: 20000, calls: 500 });
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

async function startRedis() {
  let bin;
  try {
    bin = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server is not installed (Debian: apt-get install -y redis-server)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'herd-bench-redis-'));
  const child = start(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { label: 'redis-server' });
  onCleanup(async () => {
    await stopPids([child.pid]);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(child, /Ready to accept connections/);
  return `redis://127.0.0.1:${port}`;
}

await main(async () => {
  header('Fleet: two herds on one Redis vs raw node-redis', `node bench/fleet.mjs --messages ${opts.messages} --calls ${opts.calls}`);
  const url = await startRedis();
  const env = { REDIS_URL: url, BENCH_MESSAGES: String(opts.messages), BENCH_CALLS: String(opts.calls) };
  const hosts = {};
  for (const host of ['h2', 'h1']) {
    hosts[host] = await startHerd({ app: here('./fleet/app.mjs'), workers: 2, name: 'bench-fleet', extraArgs: ['--redis', url, '--host', host], env: { ...env, FLEET_HOST: host } });
    onCleanup(() => hosts[host].stop());
  }
  const h1 = hosts.h1;
  const m = await waitFor(h1.child, /RESULT (end|failed.*)$/m, 600_000);
  if (m[1] !== 'end') throw new Error(m[1]);
  const best = {};
  const all = {};
  for (const r of h1.child.output.matchAll(/RESULT (\{.*\})$/gm)) {
    const x = JSON.parse(r[1]);
    (all[x.name] ??= []).push(x);
    if (!best[x.name] || (x.msgsPerSec ?? 0) > (best[x.name].msgsPerSec ?? 0)) best[x.name] = x;
  }
  const b = best['herd broadcast'];
  const p = best['raw pub/sub'];
  const c = best['herd consume'];
  const s = best['raw streams'];
  console.log(`${opts.messages} messages per broadcast round (best of 3, each reaching both workers of h2); ${opts.calls} consume calls one at a time, run by h2. Latency in µs.\n`);
  console.log(table(['measure', 'herd', 'raw node-redis', 'herd / raw', 'goal'], [
    ['cross-host broadcast, msgs/s', fmt.int(b.msgsPerSec), fmt.int(p.msgsPerSec), fmt.ratio(b.msgsPerSec / p.msgsPerSec), '≥ 0.8×'],
    ['consume round trip p50', fmt.int(c.p50), fmt.int(s.p50), fmt.ratio(c.p50 / s.p50), '≤ 1.5×'],
    ['consume round trip p99', fmt.int(c.p99), fmt.int(s.p99), fmt.ratio(c.p99 / s.p99), '–'],
  ]));
  console.log(`\nbroadcast rounds (herd · raw): ${all['herd broadcast'].map((x) => fmt.int(x.msgsPerSec)).join(' / ')} · ${all['raw pub/sub'].map((x) => fmt.int(x.msgsPerSec)).join(' / ')}`);
  console.log(`\nraw results: ${save('fleet', { opts, best, all })}`);
});
