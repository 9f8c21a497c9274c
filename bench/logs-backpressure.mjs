// How much memory the primary holds when a log destination is slower than the
// workers: 2 workers flood stdout, the destination is read at ~1.3 MB/s, and
// the primary's RSS is sampled from /proc. Cases: a slow terminal (the
// primary's stdout pipe) and a slow log file (a FIFO), each against a fast
// destination. Run: node bench/logs-backpressure.mjs [seconds] [case index…]
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const APP = join(ROOT, 'bench', 'apps', 'log-flood.mjs');
const SECONDS = Number(process.argv[2] ?? 10);
const ONLY = process.argv.slice(3).map(Number);
const SLOW_CHUNK = 64 * 1024;
const SLOW_PAUSE_MS = 50;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssKiB = (pid) => {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
  } catch {
    return NaN;
  }
};
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function run(name, { fifo, slowDest }) {
  const slowTerminal = slowDest && !fifo;
  const dir = mkdtempSync(join(tmpdir(), 'herd-bp-'));
  const home = join(dir, 'home');
  const config = join(dir, 'herd.config.json');
  let reader;
  const logs = { terminal: !fifo };
  if (fifo) {
    logs.file = join(dir, 'app.log');
    spawnSync('mkfifo', [logs.file]);
    // The slow reader holds the FIFO open read-write, so herd's opens never block or see EOF.
    reader = spawn(process.execPath, ['-e', `
      const fs = require('node:fs');
      const { O_RDWR, O_NONBLOCK } = fs.constants;
      const fd = fs.openSync(${JSON.stringify(logs.file)}, O_RDWR | O_NONBLOCK);
      const buf = Buffer.alloc(${SLOW_CHUNK});
      let fast = ${!slowDest}, bytes = 0;
      process.on('SIGUSR2', () => { fast = true; });
      process.on('SIGTERM', () => { console.log(bytes); process.exit(0); });
      const read = () => { try { return fs.readSync(fd, buf); } catch { return 0; } };
      (function loop() {
        for (let i = 0; i < (fast ? 64 : 1); i++) bytes += read();
        setTimeout(loop, fast ? 1 : ${SLOW_PAUSE_MS});
      })();
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    await sleep(200);
  }
  writeFileSync(config, JSON.stringify({ logs }));
  const herd = spawn(process.execPath, [CLI, 'start', APP, '-w', '2', '--name', 'bp', '--config', config], {
    env: { ...process.env, HERD_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let bytes = 0;
  let slow = slowTerminal;
  herd.stdout.on('data', (d) => {
    bytes += d.length;
    if (!slow) return;
    herd.stdout.pause();
    setTimeout(() => herd.stdout.resume(), SLOW_PAUSE_MS);
  });
  // Up once the first worker line has come through.
  for (let i = 0; i < 200 && rssKiB(herd.pid) > 0 && bytes === 0 && !fifo; i++) await sleep(50);
  await sleep(1000);
  const samples = [];
  const start = Date.now();
  while (Date.now() - start < SECONDS * 1000) {
    samples.push(rssKiB(herd.pid));
    await sleep(250);
  }
  const status = spawnSync(process.execPath, [CLI, 'status', '--json', '--name', 'bp'], { env: { ...process.env, HERD_HOME: home }, encoding: 'utf8' });
  const workers = JSON.parse(status.stdout || '{"workers":[]}').workers.map((w) => w.pid);
  // Let the destination go fast so the graceful stop can drain what is left.
  slow = false;
  herd.stdout.resume();
  reader?.kill('SIGUSR2');
  const exited = new Promise((r) => herd.once('close', r));
  herd.kill('SIGTERM');
  await Promise.race([exited, sleep(60_000)]);
  for (const pid of [herd.pid, ...workers]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  if (reader) {
    const out = new Promise((r) => { let s = ''; reader.stdout.on('data', (d) => (s += d)).on('end', () => r(Number(s))); });
    reader.kill('SIGTERM');
    bytes = await out;
  }
  rmSync(dir, { recursive: true, force: true });
  const third = Math.floor(samples.length / 3);
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  // RSS every ~5 s, to tell a plateau from a leak.
  const series = samples.filter((_, i) => i % 20 === 19).map((kib) => Math.round(kib / 1024)).join(' ');
  return {
    case: name,
    'RSS every 5 s MiB': series,
    'destination MB/s': +(bytes / 1e6 / (SECONDS + 1)).toFixed(1),
    'RSS max MiB': +(Math.max(...samples) / 1024).toFixed(1),
    'RSS first third MiB': +(mean(samples.slice(0, third)) / 1024).toFixed(1),
    'RSS last third MiB': +(mean(samples.slice(-third)) / 1024).toFixed(1),
  };
}

const cases = [
  ['terminal, read at full speed', { fifo: false, slowDest: false }],
  ['terminal, read at ~1.3 MB/s', { fifo: false, slowDest: true }],
  ['log file (FIFO), read at full speed', { fifo: true, slowDest: false }],
  ['log file (FIFO), read at ~1.3 MB/s', { fifo: true, slowDest: true }],
];
const results = [];
for (const [i, [name, options]] of cases.entries()) {
  if (ONLY.length === 0 || ONLY.includes(i)) results.push(await run(name, options));
}
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), ${SECONDS} s per case`);
console.table(results);
