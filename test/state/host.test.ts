import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Outcome, StateOp } from '../../src/shared/protocol.js';
import { StateHost } from '../../src/state/host.js';
import { encode } from '../../src/state/values.js';

const owner = { pid: process.pid, code: 'A' };

function run(host: StateHost, op: unknown): Outcome {
  let outcome: Outcome | undefined;
  host.run(op as StateOp, owner, (o) => (outcome = o));
  assert.ok(outcome, 'answered at once');
  return outcome;
}

test('a malformed operation is answered with ERR_HERD_INVALID_ARGUMENT; the data is untouched and the host keeps serving', () => {
  const host = new StateHost(0);
  run(host, { op: 'set', key: 'k', ttl: 0, ...encode('t', 1) });
  for (const bad of [
    null, 'get', {}, { op: 'drop-all' }, { op: 'get', key: 7 }, { op: 'set', key: 'k', value: 1, encoded: false, size: -1, ttl: 0 },
    { op: 'set', key: 'k', value: 'not bytes', encoded: true, size: 1, ttl: 0 }, { op: 'incr', key: 'k', by: '1' },
    { op: 'lock', name: 'l', wait: 2 ** 31, ttl: 0 }, { op: 'keys', prefix: null },
  ]) {
    const outcome = run(host, bad);
    assert.equal(outcome.ok, false, JSON.stringify(bad));
    assert.equal(!outcome.ok && outcome.error.code, 'ERR_HERD_INVALID_ARGUMENT');
  }
  assert.deepEqual(run(host, { op: 'get', key: 'k' }), { ok: true, value: [1, false] });
  host.close();
});

test('in the primary\'s own process, values are copied in and out: the caller and the store never share an object', async () => {
  const host = new StateHost(0);
  const value = { list: [1] };
  await host.call({ op: 'set', key: 'k', ttl: 0, ...encode('t', value) }, owner);
  value.list.push(2);
  const [got] = (await host.call({ op: 'get', key: 'k' }, owner)) as [{ list: number[] }];
  assert.deepEqual(got, { list: [1] });
  got.list.push(3);
  assert.deepEqual(((await host.call({ op: 'get', key: 'k' }, owner)) as [unknown])[0], { list: [1] });
  host.close();
});

test('close() fails the waiters of this process with ERR_HERD_STOPPING and drops the data', async () => {
  const host = new StateHost(0);
  await host.call({ op: 'lock', name: 'l', wait: 1000, ttl: 0 }, owner);
  const waiting = host.call({ op: 'lock', name: 'l', wait: 60_000, ttl: 0 }, owner);
  await host.call({ op: 'set', key: 'k', ttl: 60_000, ...encode('t', 'v') }, owner);
  host.close();
  await assert.rejects(waiting, { code: 'ERR_HERD_STOPPING' });
  assert.equal(host.store.size, 0);
  assert.equal(host.locks.size, 0);
});
