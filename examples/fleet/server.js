// A plain HTTP server whose workers talk across hosts.
//   GET /hello          broadcast to every worker of every host (see the logs)
//   GET /to?target=h2/B one worker of another host
//   GET /who            channel.map: every worker of the fleet, with its host
//   GET /job?n=21       channel.consume: one worker somewhere in the fleet doubles n
//   GET /visits         store.incr, shared by the fleet
import http from 'node:http';
import { channel, store } from 'herd';

const me = `${process.env.HOST ?? 'this host'}/${channel.code}`;
channel.on('hello', function (text) {
  console.log(`${me} got "${text}" from ${this.from.host ?? 'this host'}/${this.from.code}`);
});
channel.on('who', () => ({ pid: process.pid }));
channel.on('double', (n) => ({ result: n * 2, by: me }));

const routes = {
  '/hello': () => ({ sent: channel.broadcast('hello', `hi from ${me}`) }),
  '/to': (q) => ({ sent: channel.emitTo(q.get('target'), 'hello', `just for you, from ${me}`) }),
  '/who': async () => (await channel.map('who')).map((e) => ({ host: e.host, code: e.code, pid: e.value?.pid })),
  '/job': async (q) => channel.consume('double', Number(q.get('n') ?? 21), { timeout: 10_000 }),
  '/visits': async () => ({ visits: await store.incr('visits') }),
};

http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const route = routes[url.pathname];
  res.setHeader('content-type', 'application/json');
  if (!route) {
    res.statusCode = 404;
    return res.end('{"error":"not found"}\n');
  }
  try {
    res.end(`${JSON.stringify(await route(url.searchParams))}\n`);
  } catch (error) {
    res.statusCode = 500;
    res.end(`${JSON.stringify({ error: error.code ?? error.message })}\n`);
  }
}).listen(Number(process.env.PORT ?? 3000));
