import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, ROOT, startHerd, tempDir } from '../helpers/herd.js';
import { linesOf } from '../helpers/channel.js';

const expected = [
  'ttl before: x ["short"]',
  'ttl after: undefined [] long=y',
  'rich map=true set=true date=true buffer=true bigint=true copy=true',
  'top map=true date=true buffer=true bigint=true',
  'order: 99',
  'delete: true false undefined',
  'keys: ["k:1","k:2"]',
  'incr: 1 3.5 2.5',
  'incr not a number: ERR_HERD_NOT_A_NUMBER',
  'bad number key: ERR_HERD_INVALID_ARGUMENT',
  'bad empty key: ERR_HERD_INVALID_ARGUMENT',
  'bad object key: ERR_HERD_INVALID_ARGUMENT',
  'bad function value: ERR_HERD_UNSERIALIZABLE',
  'bad symbol value: ERR_HERD_UNSERIALIZABLE',
  'bad nested function: ERR_HERD_UNSERIALIZABLE',
  'bad negative ttl: ERR_HERD_INVALID_ARGUMENT',
  'bad text ttl: ERR_HERD_INVALID_ARGUMENT',
  'bad options not object: ERR_HERD_INVALID_ARGUMENT',
  'bad incr by text: ERR_HERD_INVALID_ARGUMENT',
  'bad keys number prefix: ERR_HERD_INVALID_ARGUMENT',
  'nothing stored: []',
  'full huge: ERR_HERD_STORE_FULL undefined',
  'fill: resolved undefined',
  'fill2: ERR_HERD_STORE_FULL undefined',
  'fill2 after delete: resolved undefined',
  'tfill: resolved undefined',
  'fill3 after expiry: resolved undefined',
  'still works: resolved undefined ok',
  'done',
].map((l) => `values ${l}`);

for (const mode of [['-w', '1'], ['--single']]) {
  test(`store (${mode.join(' ')}): ttl, rich values, order, keys, incr, bad keys and values, storeMaxBytes; the primary unaffected`, async (t) => {
    const home = tempDir();
    const config = join(home, 'herd.config.json');
    writeFileSync(config, JSON.stringify({ storeMaxBytes: 1_000_000 }));
    const herd = await startHerd(t, [fixture('state-values.js'), ...mode, '--config', config], { home });
    await herd.waitFor(/values (done|failed)/, 60_000);
    assert.deepEqual(linesOf(herd.output, /^values /), expected);
    // The primary still answers and still serves.
    const status = await herd.status();
    assert.equal(status.workers[0]!.state, 'ready');
    assert.doesNotMatch(herd.output, /^primary \d+ ! /m);
  });
}

test('outside herd, store and lock reject with ERR_HERD_NOT_IN_CLUSTER', () => {
  const script = 'import { store, lock } from "herd"; for (const p of [store.get("x"), store.set("x", 1), lock("l", () => 1)]) p.catch((e) => console.log(e.code));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(out, 'ERR_HERD_NOT_IN_CLUSTER\n'.repeat(3));
});
