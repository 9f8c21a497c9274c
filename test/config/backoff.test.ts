import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartPolicy } from '../../src/primary/backoff.js';

test('restart delay doubles from minDelay and stops at maxDelay', () => {
  const p = new RestartPolicy({ minDelay: 100, maxDelay: 1000, maxRestarts: 10, window: 60_000, minUptime: 1000 });
  assert.deepEqual([1, 2, 3, 4, 5, 6, 50].map((n) => p.delay(n)), [100, 200, 400, 800, 1000, 1000, 1000]);
});

test('a crash loop is more than maxRestarts restarts inside the window', () => {
  const p = new RestartPolicy({ minDelay: 100, maxDelay: 1000, maxRestarts: 3, window: 1000, minUptime: 1000 });
  assert.equal(p.record(0), false);
  assert.equal(p.record(100), false);
  assert.equal(p.record(200), false);
  assert.equal(p.record(300), true);
  // Old restarts leave the window.
  const q = new RestartPolicy({ minDelay: 100, maxDelay: 1000, maxRestarts: 2, window: 1000, minUptime: 1000 });
  assert.equal(q.record(0), false);
  assert.equal(q.record(500), false);
  assert.equal(q.record(1600), false);
  assert.equal(q.record(1700), false);
  assert.equal(q.record(1800), true);
});

test('a worker served if it answered a request or stayed up minUptime after it was ready', () => {
  const p = new RestartPolicy({ minDelay: 100, maxDelay: 1000, maxRestarts: 3, window: 1000, minUptime: 1000 });
  assert.equal(p.served({ readyAt: undefined, served: false }, 5000), false, 'never ready');
  assert.equal(p.served({ readyAt: undefined, served: true }, 5000), false, 'never ready, whatever it says');
  assert.equal(p.served({ readyAt: 4500, served: false }, 5000), false, 'died 500 ms after ready, before any answer');
  assert.equal(p.served({ readyAt: 4000, served: false }, 5000), true, 'up minUptime');
  assert.equal(p.served({ readyAt: 4990, served: true }, 5000), true, 'answered a request');
});
