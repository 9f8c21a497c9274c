// Structured logs with pino under herd: plain pino() to stdout. herd adds
// "worker" and "pid" to every line and writes them all from the primary.
//   npx herd start examples/pino-logs/server.mjs -w 2 --log-file /tmp/pino-logs.log
//   curl http://127.0.0.1:3000/ ; npx herd logs -n 5 --name server
// A synchronous destination makes "a line whose write returned is never lost"
// hold for pino lines too (see docs/logs.md).
import http from 'node:http';
import pino from 'pino';

const log = pino(pino.destination({ sync: true }));

const server = http.createServer((req, res) => {
  log.info({ method: req.method, url: req.url }, 'request');
  res.end('ok\n');
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  log.info({ port: server.address().port }, 'listening');
});
