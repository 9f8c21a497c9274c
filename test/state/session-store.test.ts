import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { bindLocalChannel } from '../../src/channel/local.js';
import { SessionStore } from '../../src/session.js';
import { installHost, StateHost, uninstallHost } from '../../src/state/host.js';
import { store } from '../../src/state/client.js';

// SessionStore's methods against a store served in this process (as with --single).
const host = installHost(new StateHost(0));
bindLocalChannel();
process.once('exit', () => uninstallHost(host));

const sessions = new SessionStore({ prefix: 's:' });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's callbacks are loosely typed
const call = (fn: (cb: any) => void): Promise<any> => promisify(fn)();
const cookie = (maxAge: number | null) => ({ originalMaxAge: maxAge, maxAge, path: '/', httpOnly: true }) as never;

test('set, get, all, length, destroy, clear', async () => {
  await call((cb) => sessions.clear(cb));
  await call((cb) => sessions.set('one', { cookie: cookie(60_000), user: 'ada' } as never, cb));
  await call((cb) => sessions.set('two', { cookie: cookie(60_000), user: 'bob' } as never, cb));
  await store.set('not-a-session', 1);
  assert.equal(((await call((cb) => sessions.get('one', cb))) as { user: string }).user, 'ada');
  assert.equal(await call((cb) => sessions.get('nobody', cb)), null);
  assert.equal(await call((cb) => sessions.length(cb)), 2);
  const all = (await call((cb) => sessions.all(cb))) as Record<string, { user: string }>;
  assert.deepEqual(Object.keys(all).sort(), ['one', 'two']);
  assert.equal(all.two!.user, 'bob');
  await call((cb) => sessions.destroy('one', cb));
  assert.equal(await call((cb) => sessions.get('one', cb)), null);
  await call((cb) => sessions.clear(cb));
  assert.equal(await call((cb) => sessions.length(cb)), 0);
  assert.equal(await store.get('not-a-session'), 1, 'clear only removes sessions');
});

test('the cookie\'s maxAge is the ttl; touch extends it without rewriting the data; an expired cookie removes the session', async () => {
  await call((cb) => sessions.set('short', { cookie: cookie(100), user: 'ada' } as never, cb));
  // Another request changed the session meanwhile: touch must not write the stale copy back.
  await store.set('s:short', JSON.stringify({ cookie: cookie(100), user: 'changed' }), { ttl: 100 });
  await call((cb) => sessions.touch('short', { cookie: cookie(60_000), user: 'stale' } as never, cb as never));
  await call((cb) => sessions.set('gone', { cookie: cookie(100), user: 'x' } as never, cb));
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(((await call((cb) => sessions.get('short', cb))) as { user: string }).user, 'changed');
  assert.equal(await call((cb) => sessions.get('gone', cb)), null);
  await call((cb) => sessions.set('short', { cookie: cookie(-1), user: 'ada' } as never, cb));
  assert.equal(await call((cb) => sessions.get('short', cb)), null);
});

test('a session without maxAge lives for the store\'s ttl option; bad options are refused', async () => {
  const short = new SessionStore({ prefix: 'x:', ttl: 100 });
  await call((cb) => short.set('s', { cookie: cookie(null), user: 'ada' } as never, cb));
  assert.notEqual(await call((cb) => short.get('s', cb)), null);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(await call((cb) => short.get('s', cb)), null);
  assert.throws(() => new SessionStore({ ttl: 0 }), { code: 'ERR_HERD_INVALID_ARGUMENT', message: /`ttl` must be a positive integer/ });
  assert.throws(() => new SessionStore({ prefix: 5 } as never), { code: 'ERR_HERD_INVALID_ARGUMENT' });
  assert.throws(() => new SessionStore({ secret: 'x' } as never), { code: 'ERR_HERD_INVALID_ARGUMENT' });
});
