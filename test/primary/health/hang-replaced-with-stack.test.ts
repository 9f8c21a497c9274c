import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from 'undici';
import { fixture, startHerd, waitGone } from '../../helpers/herd.js';

const HANG_TIMEOUT = 2000;
// The issue asks for detection within hangTimeout + a margin; generous for a busy machine.
const MARGIN = 8000;

async function pidOf(client: Client): Promise<number> {
  const res = await client.request({ path: '/', method: 'GET' });
  return (JSON.parse(await res.body.text()) as { pid: number }).pid;
}

test('a worker stuck in for(;;){} is judged hung, its stack names spinForever, it is replaced in its slot while the other serves', async (t) => {
  const herd = await startHerd(t, [fixture('hang-in-handler.js'), '-w', '2', '--hang-timeout', String(HANG_TIMEOUT)]);
  const port = await herd.port();
  const before = (await herd.status()).workers;

  // Two kept-alive connections, dealt round-robin: one per worker.
  const clients = [new Client(`http://127.0.0.1:${port}`), new Client(`http://127.0.0.1:${port}`)];
  t.after(() => Promise.all(clients.map((c) => c.destroy())));
  const pids = [await pidOf(clients[0]!), await pidOf(clients[1]!)];
  assert.notEqual(pids[0], pids[1], 'both connections reached the same worker');
  const hung = before.find((w) => w.pid === pids[0])!;
  const other = before.find((w) => w.pid === pids[1])!;

  const spin = clients[0]!.request({ path: '/spin', method: 'GET' }).then(() => 'answered', () => 'failed');
  await herd.waitFor(new RegExp(`^${hung.code} ${hung.pid} \\| spinning$`, 'm'));
  const spunAt = Date.now();

  // The other worker keeps answering on its own connection meanwhile.
  let served = 0;
  let serving = true;
  const meanwhile = (async () => {
    while (serving) {
      assert.equal(await pidOf(clients[1]!), other.pid);
      served++;
    }
  })();

  await herd.waitFor(new RegExp(`herd: worker ${hung.code} \\(pid ${hung.pid}\\) is hung: its event loop has not turned for \\d+ ms`), HANG_TIMEOUT + MARGIN + 30_000);
  const detectedAfter = Date.now() - spunAt;
  assert.ok(detectedAfter <= HANG_TIMEOUT + MARGIN, `hang detected after ${detectedAfter} ms`);

  // The stack is logged as the hung worker's own lines and names the function stuck.
  await herd.waitFor(new RegExp(`^${hung.code} ${hung.pid} ! +at spinForever \\(.*hang-in-handler\\.js:\\d+:\\d+\\)$`, 'm'));
  await herd.waitFor(new RegExp(`^${hung.code} ${hung.pid} ! +at handleRequest \\(`, 'm'));
  // Its replacement takes its code.
  await herd.waitFor(new RegExp(`^${hung.code} (?!${hung.pid})\\d+ \\| listening on`, 'm'));
  assert.deepEqual(await waitGone([hung.pid]), []);
  serving = false;
  await meanwhile;
  assert.ok(served > 0, 'the other worker served nothing while the hung one was replaced');
  assert.equal(await spin, 'failed');

  const after = (await herd.status()).workers;
  assert.deepEqual(after.map((w) => [w.code, w.state]), [['A', 'ready'], ['B', 'ready']]);
  const slot = after.find((w) => w.code === hung.code)!;
  assert.notEqual(slot.pid, hung.pid);
  // A hang is not a crash: no restart counted.
  assert.equal(slot.restarts, 0);
  assert.equal(after.find((w) => w.code === other.code)!.pid, other.pid);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
