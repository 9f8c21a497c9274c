// Writes BENCH_LINES lines to stdout as fast as the pipe takes them, starting
// at BENCH_START_AT (epoch ms) so every worker begins together, then idles.
const http = require('node:http');

const lines = Number(process.env.BENCH_LINES ?? 100_000);
const startAt = Number(process.env.BENCH_START_AT ?? Date.now());
const who = process.env.HERD_WORKER_CODE ?? process.env.NODE_APP_INSTANCE ?? String(process.pid);
const pad = 'x'.repeat(60);

function writeAll() {
  process.stdout.write(`bench-start ${who} ${Date.now()}\n`);
  let i = 0;
  const next = () => {
    while (i < lines) {
      const ok = process.stdout.write(`bench-line ${who} ${i} ${pad}\n`);
      i++;
      // Honour backpressure, as a logger does. (PM2's patched write returns
      // undefined and never drains: that is its behaviour, keep writing.)
      if (ok === false) return void process.stdout.once('drain', next);
    }
    process.stdout.write(`bench-done ${who} ${lines}\n`);
  };
  next();
}

// Listening makes the worker ready (herd) and online (PM2); the port is not used.
const server = http.createServer((req, res) => res.end());
server.listen(0, '127.0.0.1', () => setTimeout(writeAll, Math.max(0, startAt - Date.now())));
