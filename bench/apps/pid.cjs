// Answers with its pid, so a load generator knows which worker served it.
const http = require('node:http');

const server = http.createServer((req, res) => {
  const body = `${process.pid}`;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
