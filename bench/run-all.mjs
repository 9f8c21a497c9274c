// `npm run bench`: every benchmark, one after the other, each in its own
// process. The tables are also gathered into bench/results/all-<time>.md,
// ready to paste into docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPTS = ['http.mjs', 'reload.mjs', 'chaos.mjs', 'logs.mjs', 'channel.mjs', 'state.mjs', 'fleet.mjs', 'balancing.mjs', 'health.mjs', 'dashboard.mjs'];
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

let current;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  // The running script cleans up after itself on the same signal; wait for it.
  process.on(sig, () => {
    interrupted = true;
    current?.kill(sig);
  });
}

function run(script) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [here(script)], { stdio: ['ignore', 'pipe', 'inherit'] });
    current = child;
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.once('close', (code, signal) => {
      current = undefined;
      resolve({ script, code: code ?? signal, out });
    });
  });
}

const started = Date.now();
const results = [];
for (const script of SCRIPTS) {
  if (interrupted) break;
  console.log(`\n<!-- ${script} -->`);
  results.push(await run(script));
}
mkdirSync(here('./results/'), { recursive: true });
const file = here(`./results/all-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
writeFileSync(file, results.map((r) => r.out.replace(/\nraw results: .*\n?/, '\n')).join('\n'));
const failed = results.filter((r) => r.code !== 0);
console.log(`\nnpm run bench: ${Math.round((Date.now() - started) / 1000)} s; tables in ${file}`);
if (failed.length > 0 || interrupted) {
  console.error(`failed: ${failed.map((r) => `${r.script} (${r.code})`).join(', ') || 'interrupted'}`);
  process.exitCode = 1;
}
