// Channel benchmark: herd's channel against raw process.send between a
// node:cluster primary and its workers, side by side in one run. Every side
// runs as its own processes; this script only starts them and compares.
// Usage: npm run build && node bench/channel.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dir = (name) => join(ROOT, 'bench', 'channel', name);

/** Runs a command until it prints `RESULT end`; returns the results by payload. */
function collect(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const results = {};
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = line.match(/RESULT (.*)$/);
        if (!m) continue;
        if (m[1] === 'end') {
          // herd stops gracefully on SIGTERM; the raw primary exits by itself.
          child.kill('SIGTERM');
          continue;
        }
        const r = JSON.parse(m[1]);
        results[r.payload] = r;
      }
    });
    child.once('close', (code, signal) => (Object.keys(results).length ? resolve(results) : reject(new Error(`${args.join(' ')} exited ${code ?? signal} without results`))));
  });
}

async function herd() {
  const home = mkdtempSync(join(tmpdir(), 'herd-bench-'));
  const config = join(home, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ primary: dir('herd-primary.mjs') }));
  try {
    return await collect([join(ROOT, 'dist', 'cli.js'), 'start', dir('herd-app.mjs'), '-w', '2', '--name', 'bench-channel', '--config', config], { HERD_HOME: home });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const runs = {
  'raw json': await collect([dir('raw.mjs'), 'json']),
  'raw advanced': await collect([dir('raw.mjs'), 'advanced']),
  herd: await herd(),
};

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})`);
console.log('| payload | metric | raw json | raw advanced | herd | herd / raw advanced | herd / raw json |');
console.log('|---|---|---:|---:|---:|---:|---:|');
const metrics = [
  ['workerToWorker', 'worker→worker msgs/s'],
  ['workerToPrimary', 'worker→primary msgs/s'],
  ['rttP50', 'consume round trip p50 µs (relayed)'],
  ['rttP99', 'consume round trip p99 µs (relayed)'],
];
for (const payload of ['small', '64KB', '1MB']) {
  for (const [key, label] of metrics) {
    const [j, a, h] = [runs['raw json'], runs['raw advanced'], runs.herd].map((r) => r[payload][key]);
    console.log(`| ${payload} | ${label} | ${fmt(j)} | ${fmt(a)} | ${fmt(h)} | ${ratio(h, a)} | ${ratio(h, j)} |`);
  }
}
