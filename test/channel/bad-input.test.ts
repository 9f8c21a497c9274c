import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test('bad channel calls fail at the sender with a stable code and a message naming the problem', async (t) => {
  const herd = await startHerd(t, [fixture('channel-bad-input.js'), '-w', '2']);
  await herd.waitFor(/bad input done/);
  const result = (name: string): string => herd.output.match(new RegExp(`bad ${name}: (.*)$`, 'm'))?.[1] ?? 'missing';
  const unserializable = (event: string, what: string) => `ERR_HERD_UNSERIALIZABLE channel data for event "${event}" contains ${what}, which the structured clone algorithm cannot carry`;
  assert.equal(result('function'), unserializable('fn-event', 'a function'));
  assert.equal(result('symbol'), unserializable('sym-event', 'a symbol'));
  assert.equal(result('socket'), unserializable('sock-event', 'a Socket'));
  assert.equal(result('consume-fn'), unserializable('consume-event', 'a function'));
  assert.equal(result('unknown-code'), 'ERR_HERD_UNKNOWN_TARGET emitTo("Z", "x"): no worker has that code, id or pid');
  assert.equal(result('unknown-pid'), 'ERR_HERD_UNKNOWN_TARGET emitTo(999999999, "x"): no worker has that code, id or pid');
  assert.match(result('bad-target'), /^ERR_HERD_INVALID_ARGUMENT emitTo target must be a worker code .* received "b!"$/);
  assert.match(result('negative-target'), /^ERR_HERD_INVALID_ARGUMENT .* received -1$/);
  assert.equal(result('empty-event'), 'ERR_HERD_INVALID_ARGUMENT channel event must be a non-empty string, received ""');
  assert.equal(result('number-event'), 'ERR_HERD_INVALID_ARGUMENT channel event must be a non-empty string, received number');
  assert.equal(result('reserved-event'), 'ERR_HERD_INVALID_ARGUMENT "ready" is a local channel event and cannot be sent');
  assert.equal(result('handler'), 'ERR_HERD_INVALID_ARGUMENT channel handler for "x" must be a function, received string');
  assert.match(result('map-timeout'), /^ERR_HERD_INVALID_ARGUMENT map\("x"\) `timeout` must be an integer .* received -5$/);
  assert.match(result('map-timeout-type'), /^ERR_HERD_INVALID_ARGUMENT .* received soon$/);
  // The sender survived all of it.
  const status = await herd.status();
  assert.deepEqual(status.workers.map((w) => [w.code, w.restarts]), [['A', 0], ['B', 0]]);
});
