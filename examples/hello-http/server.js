// A plain HTTP server that knows nothing of herd. `npm start` runs it on every core.
const http = require('node:http');

const port = Number(process.env.PORT ?? 3000);
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ hello: 'world', worker: process.env.HERD_WORKER_CODE, pid: process.pid }));
});

server.listen(port, '127.0.0.1', () => {
  if (process.env.HERD_WORKER_CODE === 'A' || !process.env.HERD_WORKER_CODE) {
    console.log(`listening on http://127.0.0.1:${server.address().port}`);
  }
});
