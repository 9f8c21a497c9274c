import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { freePort, getJson } from '../helpers/http.js';

// A resolve hook in every process of the herd says when anything loads `redis`.
const trace = { NODE_OPTIONS: `--import ${fixture('trace-redis-import.mjs')}` };

test('without `redis`, nothing loads node-redis', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1'], { env: { ...trace, PORT: String(await freePort()) } });
  await herd.cli('status');
  herd.signal('SIGTERM');
  assert.equal((await herd.exited).code, 0);
  assert.doesNotMatch(herd.output, /TRACE redis resolved/);
});

test('with `redis` unreachable: the herd loads it, starts, serves and says so once', async (t) => {
  const port = await freePort();
  const dead = await freePort();
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--redis', `redis://127.0.0.1:${dead}`, '--host', 'lonely'], { env: { ...trace, PORT: String(port) } });
  assert.match(herd.output, /TRACE redis resolved: redis/);
  const { pid } = await getJson(port);
  assert.ok(pid > 0);
  const status = JSON.parse((await herd.cli('status', '--json')).stdout);
  assert.deepEqual([status.fleet.host, status.fleet.redis, status.fleet.hosts], ['lonely', 'unreachable', []]);
  assert.equal(herd.count(/is unreachable/g), 1);
  herd.signal('SIGTERM');
  assert.equal((await herd.exited).code, 0);
});
