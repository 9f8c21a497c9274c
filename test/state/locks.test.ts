import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HerdError } from '../../src/errors.js';
import { LockTable, type Owner } from '../../src/state/locks.js';

const A: Owner = { pid: 101, code: 'A' };
const B: Owner = { pid: 102, code: 'B' };

/** acquire() as a promise of the token. */
function acquire(locks: LockTable, name: string, owner: Owner, wait = 10_000, ttl = 0): Promise<number> {
  return new Promise((resolve, reject) => locks.acquire(name, owner, wait, ttl, resolve, reject));
}

test('waiters are served in arrival order; a stale token does not release', async () => {
  const locks = new LockTable();
  const first = await acquire(locks, 'x', A);
  const order: number[] = [];
  const waiters = [1, 2, 3].map((i) => acquire(locks, 'x', i % 2 ? B : A).then((token) => {
    order.push(i);
    return token;
  }));
  assert.equal(locks.release('x', first + 1000), false);
  assert.equal(locks.release('x', first), true);
  for (const w of waiters) locks.release('x', await w);
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(locks.size, 0, 'a free lock with no waiters is forgotten');
});

test('the holder\'s process dies: the next waiter gets the lock; the dead one\'s waiters are dropped', async () => {
  const locks = new LockTable();
  await acquire(locks, 'x', A);
  let aWaiterSettled = false;
  void acquire(locks, 'x', A).finally(() => (aWaiterSettled = true));
  const b = acquire(locks, 'x', B);
  locks.releaseOwner(A.pid);
  const token = await b;
  assert.equal(aWaiterSettled, false);
  locks.release('x', token);
  assert.equal(locks.size, 0);
});

test('wait expiry rejects with ERR_HERD_LOCK_TIMEOUT naming the holder; wait 0 fails at once', async () => {
  const locks = new LockTable();
  await acquire(locks, 'x', A);
  await assert.rejects(acquire(locks, 'x', B, 50), (e: HerdError) => e.code === 'ERR_HERD_LOCK_TIMEOUT' && /lock\("x"\): not acquired within 50 ms \(held by worker A, pid 101\)/.test(e.message));
  await assert.rejects(acquire(locks, 'x', B, 0), { code: 'ERR_HERD_LOCK_TIMEOUT' });
  locks.releaseOwner(A.pid);
  assert.equal(locks.size, 0);
});

test('ttl frees a lock whose holder never releases it', async () => {
  const locks = new LockTable();
  const stale = await acquire(locks, 'x', A, 0, 50);
  const next = await acquire(locks, 'x', B);
  assert.equal(locks.release('x', stale), false, 'the late unlock of the expired holder is ignored');
  assert.equal(locks.release('x', next), true);
});
