import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';

interface Client {
  socket: Socket;
  hellos: Array<{ code: string; pid: number }>;
  shouts: string[];
  errors: string[];
}

function connect(port: number, forwardedFor: string): Client {
  // Default transports: long-polling first, then the upgrade to WebSocket.
  const socket = io(`http://127.0.0.1:${port}`, {
    forceNew: true,
    extraHeaders: { 'x-forwarded-for': forwardedFor },
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
  });
  const client: Client = { socket, hellos: [], shouts: [], errors: [] };
  socket.on('hello', (hello: Client['hellos'][number]) => client.hellos.push(hello));
  socket.on('shout', (text: string) => client.shouts.push(text));
  socket.on('connect_error', (error) => client.errors.push(error.message));
  return client;
}

async function until(what: string, check: () => boolean, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('socket.io, 2 workers, sticky by header: 20 clients connect, a broadcast reaches all, a reload reconnects them all', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'herd.config.json'), JSON.stringify({
    script: fixture('socket-io-echo.js'),
    primary: fixture('socket-io-primary.js'),
    workers: 2,
    balancer: 'sticky',
    sticky: { header: 'x-forwarded-for' },
    // A draining worker keeps its WebSockets this long, then closes them: the clients reconnect.
    shutdownTimeout: 2000,
  }));
  const herd = await startHerd(t, [], { cwd: dir });
  const port = await herd.port();
  const clients = Array.from({ length: 20 }, (_, i) => connect(port, `10.1.0.${i + 1}`));
  t.after(() => { for (const c of clients) c.socket.close(); });

  await until('20 connected clients upgraded to WebSocket', () => clients.every((c) => c.hellos.length === 1 && c.socket.io.engine?.transport.name === 'websocket'));
  assert.deepEqual(clients.flatMap((c) => c.errors), []);
  assert.deepEqual(new Set(clients.map((c) => c.hellos[0]!.code)), new Set(['A', 'B']));

  clients[0]!.socket.emit('shout', 'hello everyone');
  await until('the broadcast at every client', () => clients.every((c) => c.shouts.includes('hello everyone')));

  const before = (await herd.status()).workers.map((w) => w.pid);
  const reloaded = herd.cli('reload');
  // Every client comes back, on the new generation, and its session works (no connect_error).
  await until('every client on a new worker', () => clients.every((c) => c.hellos.length >= 2 && c.socket.connected && !before.includes(c.hellos.at(-1)!.pid)), 30_000);
  assert.equal((await reloaded).code, 0);
  assert.deepEqual(clients.flatMap((c) => c.errors), []);
  clients[5]!.socket.emit('shout', 'after the reload');
  await until('the second broadcast at every client', () => clients.every((c) => c.shouts.includes('after the reload')));

  for (const c of clients) c.socket.close();
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
