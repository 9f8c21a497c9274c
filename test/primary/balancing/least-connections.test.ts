import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from 'undici';
import { fixture, startHerd } from '../../helpers/herd.js';
import { getJson } from '../../helpers/http.js';

test('least-connections: with 8 idle keep-alive connections on A, a new worker B gets at least 7 of the next 8 connections', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--balancer', 'least-connections'], { env: { KEEP_ALIVE_MS: '120000' } });
  const port = await herd.port();
  const agent = new Agent({ connections: 8, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
  t.after(() => agent.close());
  // Eight requests at once open eight connections, all on A; they stay open, idle.
  const first = await Promise.all(Array.from({ length: 8 }, () => getJson(port, '/slow?ms=300', agent)));
  assert.deepEqual(new Set(first.map((r) => r.code)), new Set(['A']));

  const up = await herd.cli('scale', '2');
  assert.equal(up.code, 0, up.stderr);
  const open = (await herd.status()).workers.map((w) => [w.code, w.connections]);
  assert.deepEqual(open, [['A', 8], ['B', 0]]);
  const table = await herd.cli('status');
  assert.match(table.stdout, /balancer least-connections/);
  assert.match(table.stdout, /^A .* 8$/m);
  const codes: string[] = [];
  // New connections, one after another (each closed after its request).
  for (let i = 0; i < 8; i++) codes.push((await getJson(port)).code);
  assert.ok(codes.filter((c) => c === 'B').length >= 7, `the next 8 connections went to ${codes}`);
  // The idle connections were not cut.
  assert.equal((await herd.status()).workers.find((w) => w.code === 'A')!.connections, 8);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
