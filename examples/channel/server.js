// The channel in a real app: every worker serves HTTP; /hits counts requests
// across all workers (map), /job runs one job in one worker (consume), and
// /shout tells every worker (broadcast). The primary module keeps a total.
//   node ../../dist/cli.js start server.js -w 2 --config herd.config.json
//   curl localhost:3000/hits ; curl 'localhost:3000/job?n=21' ; curl localhost:3000/shout
import http from 'node:http';
import { channel } from 'herd';

let hits = 0;
channel.on('ready', () => console.log(`every worker is addressable; I am ${channel.code}`));
channel.on('count', () => hits);
channel.on('double', async (n) => ({ result: n * 2, by: channel.code }));
channel.on('shout', function (text) {
  console.log(`${channel.code} heard "${text}" from ${this.from.code}`);
});

const server = http.createServer(async (req, res) => {
  hits++;
  const url = new URL(req.url, 'http://x');
  let body;
  if (url.pathname === '/hits') {
    const entries = await channel.map('count', { timeout: 2000 });
    body = { total: entries.reduce((sum, e) => sum + (e.value ?? 0), 0), entries };
  } else if (url.pathname === '/job') {
    body = await channel.consume('double', Number(url.searchParams.get('n') ?? 1));
  } else if (url.pathname === '/shout') {
    channel.broadcast('shout', `hello from ${channel.code}`);
    channel.emit('served', url.pathname);
    body = { sent: true };
  } else {
    body = { code: channel.code, pid: process.pid };
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
