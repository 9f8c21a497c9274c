// The load generator, always run as its own process (see lib/load.mjs):
// autocannon with per-second buckets of answers and failures, printed as one
// JSON line on stdout. Usage: node loadgen.mjs '<json options>'
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2]);
const buckets = []; // per wall-clock second since start: { ok, bad, errors }
let t0 = 0;

function bucket() {
  const i = Math.floor((Date.now() - t0) / 1000);
  while (buckets.length <= i) buckets.push({ ok: 0, bad: 0, errors: 0 });
  return buckets[i];
}

const instance = autocannon({
  url: opts.url,
  connections: opts.connections ?? 10,
  // untilStopped: runs until the runner writes a line on stdin (reload runs last as long as the reloads do).
  duration: opts.untilStopped ? 3600 : (opts.duration ?? 10),
  pipelining: 1,
  timeout: opts.timeout ?? 10,
  // e.g. { connection: 'close' }: every request on a new connection, to load the accept path.
  headers: opts.headers ?? {},
}, (error, result) => {
  if (error) {
    console.error(error.stack ?? String(error));
    process.exit(1);
  }
  const out = {
    startedAt: t0,
    duration: result.duration,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    rpsMean: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    perSecond: buckets,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
});

if (opts.untilStopped) {
  // A line, or the runner going away, ends the load.
  process.stdin.once('data', () => instance.stop());
  process.stdin.once('end', () => instance.stop());
}

instance.on('start', () => {
  t0 = Date.now();
  // The runner aligns its own events (reloads) on this line.
  process.stderr.write(`load started ${t0}\n`);
});
instance.on('response', (client, statusCode) => {
  const b = bucket();
  if (statusCode >= 200 && statusCode < 300) b.ok++;
  else b.bad++;
});
instance.on('reqError', () => {
  bucket().errors++;
});
