import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import { Bus } from '../../src/fleet/bus.js';
import { Keys } from '../../src/fleet/keys.js';
import { loadRedis, openConnections, readyGate, type RedisClient } from '../../src/fleet/redis.js';
import { LOCK_LEASE, RedisState } from '../../src/fleet/state.js';
import type { StateOp } from '../../src/shared/protocol.js';
import { startRedis } from '../helpers/redis.js';

// The store and the lock on Redis, without a herd: one RedisState (as one
// host's primary has) on a redis-server of the test's own.

const owner = (pid: number) => ({ pid, code: 'A' });
const decode = (answer: unknown): unknown => {
  if (answer === undefined) return undefined;
  const [value, encoded] = answer as [unknown, boolean];
  return encoded ? v8.deserialize(value as Uint8Array) : value;
};

test('store and lock in Redis', async (t) => {
  const redis = await startRedis(t);
  const conns = openConnections(await loadRedis(), redis.url, () => {});
  t.after(() => [conns.cmd, conns.sub, conns.block].forEach((c) => c.destroy()));
  const keys = new Keys('test:', 'app');
  const bus = new Bus(conns, keys, 'h1', () => {}, () => {});
  const state = new RedisState(conns.cmd, readyGate(conns.cmd), keys, bus);
  t.after(() => state.close());
  const call = (op: StateOp, pid = 1): Promise<unknown> => state.call(op, owner(pid));
  const raw = (args: string[]): Promise<unknown> => (conns.cmd as RedisClient).sendCommand(args);
  const set = (key: string, value: unknown, ttl = 0) => call({ op: 'set', key, ttl, value, encoded: false, size: 0 });

  await t.test('values keep their types; numbers are decimal text in Redis', async () => {
    const rich = { a: [1, 'two', null], d: new Date(5), m: new Map([[1, new Set(['x'])]]), b: 10n };
    await set('rich', rich);
    assert.deepEqual(decode(await call({ op: 'get', key: 'rich' })), rich);
    await set('n', 41);
    assert.equal(await raw(['GET', 'test:app:store:n']), '41');
    assert.equal(decode(await call({ op: 'get', key: 'n' })), 41);
    for (const odd of [-0, NaN, Infinity, 'text']) {
      await set('odd', odd);
      assert.ok(Object.is(decode(await call({ op: 'get', key: 'odd' })), odd), String(odd));
    }
    await call({ op: 'set', key: 'bytes', ttl: 0, ...{ value: v8.serialize(Buffer.from('hi')), encoded: true, size: 0 } });
    assert.deepEqual(Buffer.from(decode(await call({ op: 'get', key: 'bytes' })) as Uint8Array), Buffer.from('hi'));
    assert.equal(await call({ op: 'get', key: 'missing' }), undefined);
  });

  await t.test('incr: integers, floats, a missing key, not a number; ttl kept', async () => {
    assert.equal(await call({ op: 'incr', key: 'i', by: 1 }), 1);
    assert.equal(await call({ op: 'incr', key: 'i', by: 41 }), 42);
    assert.equal(await call({ op: 'incr', key: 'i', by: 0.5 }), 42.5);
    assert.equal(await call({ op: 'incr', key: 'i', by: 1 }), 43.5);
    await set('s', 'text');
    await assert.rejects(call({ op: 'incr', key: 's', by: 1 }), { code: 'ERR_HERD_NOT_A_NUMBER' });
    await set('t', 1, 60_000);
    await call({ op: 'incr', key: 't', by: 1 });
    assert.ok(Number(await raw(['PTTL', 'test:app:store:t'])) > 50_000);
  });

  await t.test('delete, expire, keys by prefix (glob characters are literal)', async () => {
    await set('k:[a]*', 1);
    await set('k:ab', 2);
    await set('kx', 3);
    assert.deepEqual((await call({ op: 'keys', prefix: 'k:[a]' })) as string[], ['k:[a]*']);
    assert.deepEqual(((await call({ op: 'keys', prefix: 'k:' })) as string[]).sort(), ['k:[a]*', 'k:ab']);
    assert.equal(await call({ op: 'expire', key: 'k:ab', ttl: 60_000 }), true);
    assert.ok(Number(await raw(['PTTL', 'test:app:store:k:ab'])) > 50_000);
    assert.equal(await call({ op: 'expire', key: 'k:ab', ttl: 0 }), true);
    assert.equal(Number(await raw(['PTTL', 'test:app:store:k:ab'])), -1);
    assert.equal(await call({ op: 'expire', key: 'nope', ttl: 10 }), false);
    assert.equal(await call({ op: 'delete', key: 'kx' }), true);
    assert.equal(await call({ op: 'delete', key: 'kx' }), false);
  });

  await t.test('lock: a token and a lease in Redis; wait 0 on a held lock times out; release frees it at once', async () => {
    const token = await call({ op: 'lock', name: 'L', wait: 0, ttl: 0 }, 10) as number;
    const held = String(await raw(['GET', 'test:app:lock:L']));
    const pttl = Number(await raw(['PTTL', 'test:app:lock:L']));
    assert.ok(pttl > 0 && pttl <= LOCK_LEASE, `lease ${pttl}`);
    await assert.rejects(call({ op: 'lock', name: 'L', wait: 0, ttl: 0 }, 11), { code: 'ERR_HERD_LOCK_TIMEOUT' });
    const waiting = call({ op: 'lock', name: 'L', wait: 10_000, ttl: 0 }, 12);
    assert.equal(await call({ op: 'unlock', name: 'L', token }, 10), true);
    const next = await waiting as number;
    assert.notEqual(String(await raw(['GET', 'test:app:lock:L'])), held);
    await call({ op: 'unlock', name: 'L', token: next }, 12);
  });

  await t.test('fencing: a holder whose ttl ran out cannot free the lock someone else now holds', async () => {
    const first = await call({ op: 'lock', name: 'F', wait: 0, ttl: 200 }, 20) as number;
    const second = await call({ op: 'lock', name: 'F', wait: 10_000, ttl: 0 }, 21) as number;
    const holder = String(await raw(['GET', 'test:app:lock:F']));
    assert.equal(await call({ op: 'unlock', name: 'F', token: first }, 20), false);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(String(await raw(['GET', 'test:app:lock:F'])), holder, 'still held by the second');
    await call({ op: 'unlock', name: 'F', token: second }, 21);
  });

  await t.test('a dead holder process frees its locks at once', async () => {
    await call({ op: 'lock', name: 'D', wait: 0, ttl: 0 }, 30);
    const waiting = call({ op: 'lock', name: 'D', wait: 10_000, ttl: 0 }, 31);
    state.releaseOwner(30);
    const token = await waiting as number;
    await call({ op: 'unlock', name: 'D', token }, 31);
  });

  await t.test('Redis gone: calls reject with ERR_HERD_REDIS_UNAVAILABLE after their 2 s', async () => {
    await redis.stop();
    const t0 = Date.now();
    await assert.rejects(call({ op: 'get', key: 'n' }), { code: 'ERR_HERD_REDIS_UNAVAILABLE' });
    assert.ok(Date.now() - t0 >= 1900, `rejected after ${Date.now() - t0} ms`);
    await assert.rejects(call({ op: 'lock', name: 'X', wait: 10_000, ttl: 0 }), { code: 'ERR_HERD_REDIS_UNAVAILABLE' });
  });
});
