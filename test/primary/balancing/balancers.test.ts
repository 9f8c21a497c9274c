import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeastConnections, RoundRobin, Sticky, type Balancer, type Candidate } from '../../../src/primary/balancing/balancers.js';
import { headerKey } from '../../../src/primary/balancing/peek.js';

const workers = (...open: number[]): Candidate[] => open.map((n, i) => ({ id: i + 1, open: n }));

test('round-robin: each in turn, whatever order the candidates come in, and a leaving worker does not reset the turn', () => {
  const rr: Balancer = new RoundRobin();
  const [a, b, c] = workers(0, 0, 0) as [Candidate, Candidate, Candidate];
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => rr.pick([c, a, b], null).id), [1, 2, 3, 1, 2, 3]);
  rr.pick([a, b, c], null); // 1
  assert.equal(rr.pick([a, c], null).id, 3, 'b left: the turn goes on to c');
});

test('least-connections: the fewest open connections; ties in turn', () => {
  const lc: Balancer = new LeastConnections();
  assert.equal(lc.pick(workers(8, 0, 3), null).id, 2);
  // The turn goes on after 2: 3, then 1, ...
  assert.deepEqual([1, 2, 3, 4].map(() => lc.pick(workers(2, 5, 2), null).id), [3, 1, 3, 1]);
});

test('sticky: a key stays with its worker while it lives; only a leaving worker\'s keys move', () => {
  const sticky = new Sticky();
  const all = workers(0, 0, 0);
  const owner = new Map<string, number>();
  for (let i = 0; i < 30; i++) {
    const key = `10.0.0.${i}`;
    const picked = sticky.pick(all.map((w) => ({ ...w })), key);
    owner.set(key, picked.id);
    (all.find((w) => w.id === picked.id) as { open: number }).open++;
  }
  assert.deepEqual(new Set(owner.values()), new Set([1, 2, 3]), 'new keys are spread');
  for (const [key, id] of owner) assert.equal(sticky.pick(all, key).id, id);
  // Worker 2 leaves: its keys move, nobody else's.
  sticky.remove(2);
  const left = all.filter((w) => w.id !== 2);
  for (const [key, id] of owner) {
    const now = sticky.pick(left, key).id;
    if (id === 2) assert.notEqual(now, 2);
    else assert.equal(now, id, `${key} moved from ${id} to ${now}`);
  }
  // And a worker joining takes no existing key.
  const joined = [...left, { id: 4, open: 0 }];
  for (const key of owner.keys()) assert.notEqual(sticky.pick(joined, key).id, 4);
});

test('sticky by header: the first address of the header, case-insensitive; undefined without it', () => {
  const head = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For:  203.0.113.7 , 10.0.0.1\r\n\r\nbody');
  assert.equal(headerKey(head, 'x-forwarded-for'), '203.0.113.7');
  assert.equal(headerKey(head, 'x-real-ip'), undefined);
  assert.equal(headerKey(Buffer.from('GET / HTTP/1.1\r\nx-forwarded-for: \r\n\r\n'), 'x-forwarded-for'), undefined);
  // The body is not searched.
  assert.equal(headerKey(Buffer.from('POST / HTTP/1.1\r\n\r\nx-forwarded-for: 1.2.3.4\r\n'), 'x-forwarded-for'), undefined);
});
