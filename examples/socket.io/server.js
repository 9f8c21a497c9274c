// socket.io as its docs show it for a plain server, plus the cluster adapter so
// a broadcast reaches the clients of every worker. Nothing herd-specific: no
// @socket.io/sticky, no ready() call. Run: npx herd start server.js (see README.md).
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/cluster-adapter';

const port = Number(process.env.PORT ?? 3000);
const httpServer = createServer((req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end(`<!doctype html><script src="/socket.io/socket.io.js"></script>
<script>
  const socket = io();
  socket.on('hello', (h) => document.body.append('connected to worker ' + h.worker + '\\n'));
  socket.on('chat', (m) => document.body.append(m.from + ': ' + m.text + '\\n'));
  setInterval(() => socket.emit('chat', 'hi at ' + new Date().toLocaleTimeString()), 3000);
</script><pre></pre>`);
});
const io = new Server(httpServer, { adapter: createAdapter() });

io.on('connection', (socket) => {
  socket.emit('hello', { worker: process.env.HERD_WORKER_CODE });
  socket.on('chat', (text) => io.emit('chat', { from: socket.id, text }));
});

httpServer.listen(port, '127.0.0.1', () => {
  if (process.env.HERD_WORKER_CODE === 'A') console.log(`listening on http://127.0.0.1:${port}`);
});
