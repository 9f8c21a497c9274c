import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CLI, fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';

const N = 25;

test('herd status --json after N requests: requests sum to N, memory, cpu and event-loop delay are numbers', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);
  const port = await herd.port();
  for (let i = 0; i < N; i++) assert.equal((await get(port)).status, 200);

  // Stats ride on the heartbeat (once a second): wait until the count has arrived.
  let status = await herd.status();
  const sum = (s: typeof status): number => s.workers.reduce((n, w) => n + ((w as unknown as { requests: number }).requests ?? 0), 0);
  const deadline = Date.now() + 30_000;
  while (sum(status) < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    status = await herd.status();
  }
  assert.equal(sum(status), N);
  for (const w of status.workers as unknown as Array<Record<string, any>>) {
    assert.ok(w.memory.rss > 0 && w.memory.heapUsed > 0, JSON.stringify(w));
    assert.equal(typeof w.cpu, 'number');
    for (const k of ['p50', 'p99', 'max']) assert.equal(typeof w.eventLoopDelay[k], 'number');
    assert.equal(typeof w.connections, 'number');
  }
  const primary = (status as unknown as { primary: { memory: { rss: number } } }).primary;
  assert.ok(primary.memory.rss > 0);

  const table = await herd.cli('status');
  assert.equal(table.code, 0);
  assert.match(table.stdout, /CODE +PID +STATE +UPTIME +RESTARTS +GEN +CPU +MEM +HEAP +LOOP P99 +CONNS +REQS/);
  assert.match(table.stdout, /^A +\d+ +ready .* \d+\.\d % +\d+\.\d MB +\d+\.\d MB +\d+\.\d ms +\d+ +\d+$/m);
});

test('herd status --watch redraws the table every second until Ctrl-C (exit 0)', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1']);
  const watch = spawn(process.execPath, [CLI, 'status', '--watch', '--name', herd.name], {
    env: { ...process.env, HERD_HOME: herd.home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => { if (watch.exitCode === null) watch.kill('SIGKILL'); });
  let out = '';
  const closed = new Promise<number | null>((resolve) => watch.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    watch.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if ((out.match(/^herd "/gm) ?? []).length >= 2) resolve();
    });
    watch.once('close', () => reject(new Error(`status --watch ended: ${out}`)));
  });
  const frames = out.split(/\n\n/).filter((f) => f.startsWith('herd "'));
  assert.ok(frames.length >= 2);
  for (const frame of frames.slice(0, 2)) assert.match(frame, /^A +\d+ +ready/m);
  watch.kill('SIGINT');
  assert.equal(await closed, 0);
});
