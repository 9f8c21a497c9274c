// socket.io broadcast echo: every 'shout' goes to every client. Under herd (a
// cluster worker) the cluster adapter relays broadcasts between workers.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/cluster-adapter';

const httpServer = createServer();
const io = new Server(httpServer, process.send ? { adapter: createAdapter() } : {});
io.on('connection', (socket) => {
  socket.on('shout', (msg) => io.emit('shout', msg));
});
httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${httpServer.address().port}`);
});
