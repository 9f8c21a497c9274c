// Channel benchmark: herd's channel against raw process.send between a
// node:cluster primary and its workers, side by side in one run. Every side
// runs as its own processes; this script only starts them and compares.
// Usage: npm run build && node bench/channel.mjs [--before <checkout>]
// --before: also runs the herd side with another built checkout of herd (e.g.
// `git worktree add /tmp/before <commit> && cd /tmp/before && npm ci && npm run build`),
// as a "herd before" column, to compare a change in one run.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** The herd side, with the herd checkout at `root` (its apps are copied in, so `import 'herd'` is that checkout). */
async function herd(root = ROOT) {
  const home = mkdtempSync(join(tmpdir(), 'herd-bench-'));
  const apps = root === ROOT ? dir('') : join(root, 'bench', 'channel-now');
  if (root !== ROOT) cpSync(dir(''), apps, { recursive: true });
  const config = join(home, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ primary: join(apps, 'herd-primary.mjs') }));
  try {
    return await collect([join(root, 'dist', 'cli.js'), 'start', join(apps, 'herd-app.mjs'), '-w', '2', '--name', 'bench-channel', '--config', config], { HERD_HOME: home });
  } finally {
    rmSync(home, { recursive: true, force: true });
    if (root !== ROOT) rmSync(apps, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--before');
const before = at > 0 ? process.argv[at + 1] : undefined;
const runs = {
  'raw json': await collect([dir('raw.mjs'), 'json']),
  'raw advanced': await collect([dir('raw.mjs'), 'advanced']),
  herd: await herd(),
  ...(before ? { 'herd before': await herd(before) } : {}),
};

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})`);
const was = runs['herd before'];
console.log(`| payload | metric | raw json | raw advanced | herd | herd / raw advanced | herd / raw json |${was ? ' herd before | herd / before |' : ''}`);
console.log(`|---|---|---:|---:|---:|---:|---:|${was ? '---:|---:|' : ''}`);
const metrics = [
  ['workerToWorker', 'worker→worker msgs/s'],
  ['workerToPrimary', 'worker→primary msgs/s'],
  ['rttP50', 'consume round trip p50 µs (relayed)'],
  ['rttP99', 'consume round trip p99 µs (relayed)'],
];
for (const payload of ['small', 'rich', '64KB', '1MB']) {
  for (const [key, label] of metrics) {
    const [j, a, h] = [runs['raw json'], runs['raw advanced'], runs.herd].map((r) => r[payload]?.[key]);
    // Raw JSON IPC has no rich row: it cannot carry those values.
    const json = j === undefined ? '—' : fmt(j);
    const then = was ? ` ${fmt(was[payload][key])} | ${ratio(h, was[payload][key])} |` : '';
    console.log(`| ${payload} | ${label} | ${json} | ${fmt(a)} | ${fmt(h)} | ${ratio(h, a)} | ${j === undefined ? '—' : ratio(h, j)} |${then}`);
  }
}
