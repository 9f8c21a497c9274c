// Writes 100-byte numbered lines to stdout as fast as the pipe takes them,
// forever: the writes block when the primary stops reading (herd makes the
// worker's stdout blocking), so this measures backpressure, not the worker.
import http from 'node:http';

const code = process.env.HERD_WORKER_CODE ?? '?';
const pad = 'x'.repeat(70);
let n = 0;
const server = http.createServer((req, res) => res.end(String(n)));
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
  const burst = () => {
    let chunk = '';
    for (let i = 0; i < 200; i++) chunk += `flood ${code} ${String(++n).padStart(12, '0')} ${pad}\n`;
    process.stdout.write(chunk);
    setImmediate(burst);
  };
  burst();
});
