// About 1 ms of CPU per request: the stable reference, since the load generator
// is not the bottleneck here and the cores are.
const http = require('node:http');

const WORK_NS = 1_000_000n;
const body = 'done\n';
const server = http.createServer((req, res) => {
  const end = process.hrtime.bigint() + WORK_NS;
  while (process.hrtime.bigint() < end);
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
