import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { getJson } from '../helpers/http.js';

test('--single runs the app inside the primary as worker A', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '--single']);
  const port = await herd.port();
  const reply = await getJson(port);
  assert.equal(reply.pid, herd.pid, 'the primary itself answers');
  assert.equal(reply.code, 'A');
  const status = await herd.status();
  assert.deepEqual(status.workers.map((w) => [w.code, w.pid, w.state]), [['A', herd.pid, 'ready']]);

  const reload = await herd.cli('reload');
  assert.equal(reload.code, 1);
  assert.match(reload.stderr, /ERR_HERD_UNSUPPORTED/);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});

test('--single with an app that throws at boot: exit 1 with the error', async (t) => {
  const herd = await startHerd(t, [fixture('crash-on-boot.js'), '--single'], { wait: false });
  assert.equal((await herd.exited).code, 1);
  assert.match(herd.output, /crash-on-boot: the database is not there/);
});
