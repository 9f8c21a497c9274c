import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { linesOf } from '../helpers/channel.js';

const expected = [
  'wait: ERR_HERD_LOCK_TIMEOUT',
  'wait-0: ERR_HERD_LOCK_TIMEOUT',
  'holder result: w-result',
  'ttl: resolved after ttl',
  'reentrant: ERR_HERD_LOCK_REENTRANT',
  'nested other lock: resolved inner r2',
  'after release: resolved later',
  'fifo: 0,1,2,3,4',
  'fn throws: E_APP',
  'free after throw: resolved free',
  'bad empty name: ERR_HERD_INVALID_ARGUMENT',
  'bad number name: ERR_HERD_INVALID_ARGUMENT',
  'bad no fn: ERR_HERD_INVALID_ARGUMENT',
  'bad negative wait: ERR_HERD_INVALID_ARGUMENT',
  'bad zero ttl: ERR_HERD_INVALID_ARGUMENT',
  'bad text ttl: ERR_HERD_INVALID_ARGUMENT',
  'bad unknown option: ERR_HERD_INVALID_ARGUMENT',
  'done',
].map((l) => `lock-options ${l}`);

for (const mode of [['-w', '1'], ['--single']]) {
  test(`lock (${mode.join(' ')}): wait expiry, ttl, re-entrant use refused, FIFO, fn's result and error, bad arguments`, async (t) => {
    const herd = await startHerd(t, [fixture('state-lock-options.js'), ...mode]);
    await herd.waitFor(/lock-options (done|failed)/, 60_000);
    assert.deepEqual(linesOf(herd.output, /^lock-options /), expected);
  });
}
