import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test('EADDRINUSE while booting fails the worker at once, naming the code and the port (exit 1)', async (t) => {
  // The app handles the server's 'error' itself and stays up: without herd's check it would wait for readyTimeout.
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;

  const herd = await startHerd(t, [fixture('listen-port-handles-error.js'), '-w', '1'], { wait: false, env: { PORT: String(port) } });
  const exit = await herd.exited;
  const exitedAt = Date.now();
  assert.equal(exit.code, 1, herd.output);
  const listenAt = Number(herd.output.match(/listen called at (\d+)/)![1]);
  // The bound: within 2 s of the app's listen() (readyTimeout is 30 s).
  assert.ok(exitedAt - listenAt < 2000, `failed ${exitedAt - listenAt} ms after listen()`);
  assert.match(herd.output, new RegExp(`worker A \\(pid \\d+\\) cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
  assert.match(herd.output, /ERR_HERD_BOOT_FAILED/);
  assert.doesNotMatch(herd.output, /readyTimeout/);
});
