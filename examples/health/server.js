// Health and metrics in a real app, with nothing herd-specific in it:
//   node ../../dist/cli.js start --config herd.config.json
//   curl localhost:3000/           ; curl localhost:9100/metrics
//   curl localhost:3000/leak       (1 MiB kept per call: recycled past maxMemory)
//   curl localhost:3000/spin       (blocks the loop: herd logs the stack and replaces the worker)
//   node ../../dist/cli.js status --name server --watch
const http = require('node:http');
const client = require('prom-client');

const served = new client.Counter({ name: 'app_requests_total', help: 'Requests served by the app.', labelNames: ['route'] });
const kept = [];

function spinForever() {
  for (;;);
}

const server = http.createServer((req, res) => {
  const route = req.url === '/leak' || req.url === '/spin' ? req.url.slice(1) : 'other';
  served.inc({ route });
  if (route === 'leak') kept.push(Buffer.alloc(1024 * 1024, 1));
  if (route === 'spin') spinForever();
  res.end(`${process.env.HERD_WORKER_CODE} (pid ${process.pid}) served you\n`);
});

server.listen(Number(process.env.PORT ?? 3000), () => console.log(`listening on :${server.address().port}`));
