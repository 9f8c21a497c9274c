import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BALANCERS } from '../../helpers/balancers.js';
import { fixture, startHerd } from '../../helpers/herd.js';
import { getJson } from '../../helpers/http.js';

// A worker whose IPC channel closes while the process lives on (it called
// process.disconnect(), or the channel broke) is still listed until it exits.
// A connection handed to it fails; dealing that connection again at once, on
// nextTick, to the same worker spun the primary so that it never read its
// sockets again (never saw the exit, never served anything). Connections must
// instead wait for a worker that can take them.

for (const balancer of BALANCERS.filter((b) => b !== 'os')) test(`a lone worker that closed its IPC channel: new connections wait for its replacement, the primary keeps answering [${balancer}]`, async (t) => {
  const herd = await startHerd(t, [fixture('disconnect-on-path.js'), '-w', '1', '--balancer', balancer], { env: { LINGER_MS: '1500' } });
  const port = await herd.port();
  const gone = await getJson(port, '/disconnect');

  const [next, status] = await Promise.all([getJson(port), herd.status()]);
  assert.notEqual(next.pid, gone.pid);
  assert.equal(next.code, 'A');
  assert.equal(status.workers.length, 1);
  const after = await herd.status();
  assert.deepEqual(after.workers.map((w) => [w.code, w.pid, w.state]), [['A', next.pid, 'ready']]);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
