// A handler whose CPU cost varies from 1 to 50 ms (uniform, seeded per worker):
// round-robin keeps sending new connections to a worker stuck in a long one.
const http = require('node:http');

let seed = process.pid;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const body = 'done\n';
const server = http.createServer((req, res) => {
  const ms = 1 + Math.floor(random() * 50);
  const end = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  while (process.hrtime.bigint() < end);
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
