import net from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (for apps that need it before they listen, e.g. under PM2). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
