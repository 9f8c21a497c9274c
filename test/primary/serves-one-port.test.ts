import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../helpers/herd.js';
import { getJson } from '../helpers/http.js';

test('two workers answer on one port with distinct pids, listed as A and B', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);
  const port = await herd.port();

  const status = await herd.status();
  assert.deepEqual(status.workers.map((w) => w.code), ['A', 'B']);
  assert.ok(status.workers.every((w) => w.state === 'ready'));
  const expected = new Set(status.workers.map((w) => w.pid));
  assert.equal(expected.size, 2);

  // Round-robin deals connections out in turn: a few requests reach both.
  const seen = new Set<number>();
  for (let i = 0; i < 20 && seen.size < 2; i++) seen.add((await getJson(port)).pid);
  assert.deepEqual(seen, expected);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.deepEqual(await waitGone([...expected]), []);
});

test("balancer 'os': workers accept from a shared socket and both serve", async (t) => {
  const { writeFileSync } = await import('node:fs');
  const { tempDir } = await import('../helpers/herd.js');
  const home = tempDir();
  writeFileSync(`${home}/herd.config.json`, JSON.stringify({ script: fixture('http-server.js'), workers: 2, balancer: 'os' }));
  const herd = await startHerd(t, ['--config', `${home}/herd.config.json`], { home });
  const port = await herd.port();
  const { workers } = await herd.status();
  const reply = await getJson(port);
  assert.ok(workers.some((w) => w.pid === reply.pid));
  // With 'os' every worker holds the listening socket itself; with round-robin only the primary does.
  for (const w of workers) assert.ok(holdsListener(w.pid, port), `worker ${w.code} holds the listening socket`);
});

test('round-robin: the primary holds the listening socket, the workers do not', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2']);
  const port = await herd.port();
  const { workers } = await herd.status();
  assert.ok(holdsListener(herd.pid, port));
  for (const w of workers) assert.equal(holdsListener(w.pid, port), false);
});

/** Linux: does `pid` have the socket listening on 127.0.0.1:port among its fds? */
function holdsListener(pid: number, port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set(
    readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
      .map((f) => f[9]),
  );
  return readdirSync(`/proc/${pid}/fd`).some((fd) => {
    try {
      const m = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
      return m !== null && inodes.has(m[1]);
    } catch {
      return false;
    }
  });
}

test('worker counts from the command line: 0 is one per CPU, -1 is CPUs minus one', async (t) => {
  const { availableParallelism } = await import('node:os');
  const cpus = availableParallelism();
  const all = await startHerd(t, [fixture('http-server.js'), '-w', '0']);
  assert.equal((await all.status()).workers.length, cpus);
  const fewer = await startHerd(t, [fixture('http-server.js'), '--workers', '-1']);
  assert.equal((await fewer.status()).workers.length, Math.max(1, cpus - 1));
});
