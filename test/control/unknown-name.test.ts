import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/herd.js';

for (const args of [['status'], ['status', '--json'], ['stop'], ['reload'], ['scale', '2'], ['logs', '-n', '5']]) {
  test(`herd ${args.join(' ')} for a name that is not running exits 3`, async () => {
    const home = tempDir();
    const r = await runCli([...args, '--name', 'nobody-here'], { home });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no running herd named "nobody-here"/);
    assert.match(r.stderr, /ERR_HERD_NOT_RUNNING/);
  });
}
