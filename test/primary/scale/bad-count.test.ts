import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { call } from '../../../src/cli/client.js';

test('herd scale refuses a count that is not an integer from 1 to 1024', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1']);
  for (const bad of ['0', '-1', '1.5', 'two', '1025']) {
    const r = await herd.cli('scale', bad);
    assert.equal(r.code, 2, `scale ${bad}: ${r.stderr}`);
    assert.match(r.stderr, /ERR_HERD_(USAGE|INVALID_OPTION)/, `scale ${bad}`);
    assert.match(r.stderr, /<count>|`count`/, `scale ${bad}`);
  }
  // The control socket checks too, whoever writes to it.
  for (const count of [0, 2.5, '3', null, 5000]) {
    await assert.rejects(call(herd.home, herd.name, { cmd: 'scale', count } as never).result, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_HERD_BAD_REQUEST');
      assert.match(error.message, /`count` must be an integer from 1 to 1024/);
      return true;
    });
  }
  assert.deepEqual((await herd.status()).workers.map((w) => w.code), ['A']);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
