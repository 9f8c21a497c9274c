// Rolling reload under load: 32 keep-alive connections of steady autocannon
// load while the app is reloaded 5 times, herd (`herd reload`) against
// `pm2 reload`, same unmodified app. Counts every failed request and the
// throughput dip while reloading.
// Usage: node bench/reload.mjs [--reloads 5] [--connections 32] [--settle 3] [--herd-workers 2,1,3,4] [--pm2-workers 2]
import { fileURLToPath } from 'node:url';
import { options } from './lib/args.mjs';
import { startHerd } from './lib/herd.mjs';
import { load, warmUp } from './lib/load.mjs';
import { startPm2 } from './lib/pm2.mjs';
import { freePort } from './lib/port.mjs';
import { main } from './lib/proc.mjs';
import { fmt, header, save, table } from './lib/report.mjs';

const opts = options({ reloads: 5, connections: 32, settle: 3, pause: 1, 'herd-workers': '2,1,3,4', 'pm2-workers': '2' });
const APP = fileURLToPath(new URL('./apps/hello.cjs', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const TARGETS = {
  herd: {
    start: (port, workers) => startHerd({ app: APP, port, workers, name: 'bench-reload' }),
    reload: (server) => server.cli('reload'),
  },
  pm2: {
    start: (port, workers) => startPm2({ app: APP, port, workers, name: 'bench-reload' }),
    reload: (server) => server.pm2('reload', 'bench-reload'),
  },
};

/** Steady load; `settle` s of baseline, the reloads one after the other, `settle` s after. */
async function measure(kind, workers) {
  const port = await freePort();
  const server = await TARGETS[kind].start(port, workers);
  try {
    await warmUp(server.url, 2, opts.connections);
    const run = load({ url: server.url, connections: opts.connections, untilStopped: true });
    const t0 = await run.started;
    await sleep(opts.settle * 1000);
    const windows = [];
    let reloadFailures = 0;
    for (let i = 0; i < opts.reloads; i++) {
      const from = Date.now();
      try {
        await TARGETS[kind].reload(server);
      } catch (error) {
        reloadFailures++;
        process.stderr.write(`${kind} reload ${i + 1} failed: ${error.message.split('\n')[0]}\n`);
      }
      windows.push([from - t0, Date.now() - t0]);
      await sleep(opts.pause * 1000);
    }
    await sleep(opts.settle * 1000);
    run.stop();
    const result = await run.result;
    return { kind, workers, windows, reloadFailures, ...summarize(result, windows) };
  } finally {
    await server.stop();
  }
}

/** Seconds that overlap a reload against the others (first and last second dropped: partial). */
function summarize(result, windows) {
  const seconds = result.perSecond.slice(1, -1).map((b, i) => ({ ...b, from: (i + 1) * 1000, to: (i + 2) * 1000 }));
  const during = (s) => windows.some(([a, b]) => s.from < b && s.to > a);
  const steady = seconds.filter((s) => !during(s)).map((s) => s.ok);
  const reloading = seconds.filter(during).map((s) => s.ok);
  const baseline = median(steady);
  // What the reloads cost, comparable across tools whatever their pace: the
  // answers missing against the steady rate, in seconds of steady throughput per reload.
  const deficit = seconds.filter(during).reduce((sum, s) => sum + Math.max(0, baseline - s.ok), 0);
  return {
    requests: result.requests,
    failed: result.non2xx + result.errors,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    baselineRps: baseline,
    reloadingRps: reloading.reduce((a, b) => a + b, 0) / reloading.length,
    worstSecond: Math.min(...reloading),
    reloadMs: median(windows.map(([a, b]) => b - a)),
    lostSecondsPerReload: deficit / baseline / windows.length,
    perSecond: result.perSecond,
  };
}

await main(async () => {
  header('Rolling reload under load', `node bench/reload.mjs ${process.argv.slice(2).join(' ')}`.trim());
  console.log(`hello-world app, ${opts.connections} keep-alive connections of autocannon (own process), ${opts.reloads} reloads one after the other (${opts.pause} s apart), ${opts.settle} s of steady load before and after\n`);
  const plan = [
    ...opts['pm2-workers'].split(',').map((w) => ['pm2', Number(w)]),
    ...opts['herd-workers'].split(',').map((w) => ['herd', Number(w)]),
  ];
  const runs = [];
  for (const [kind, workers] of plan) {
    process.stderr.write(`${kind} with ${workers} workers ...\n`);
    runs.push(await measure(kind, workers));
  }
  const rows = runs.map((r) => [
    r.kind === 'herd' ? '`herd reload`' : '`pm2 reload`',
    String(r.workers),
    `${r.failed} of ${fmt.int(r.requests)}`,
    `${r.non2xx} / ${r.errors} / ${r.resets}`,
    String(r.reloadFailures),
    fmt.int(r.reloadMs),
    fmt.int(r.baselineRps),
    `${fmt.int(r.reloadingRps)} (${fmt.ratio(r.reloadingRps / r.baselineRps)})`,
    `${fmt.int(r.worstSecond)} (${fmt.ratio(r.worstSecond / r.baselineRps)})`,
    r.lostSecondsPerReload.toFixed(2),
  ]);
  console.log(table(['reload', 'workers', 'failed requests', 'non-2xx / errors / resets', 'failed reloads', 'reload (ms, median)', 'steady req/s', 'req/s while reloading', 'worst second', 'capacity lost per reload (s)'], rows));
  console.log(`\nraw results: ${save('reload', { options: opts, runs })}`);
});
