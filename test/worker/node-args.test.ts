import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { getJson } from '../helpers/http.js';

test('--node-args reaches every worker\'s process.execArgv, before herd\'s preload', async (t) => {
  const herd = await startHerd(t, [fixture('env-echo.js'), '-w', '1', '--node-args', '--max-old-space-size=200 --no-deprecation']);
  const { execArgv } = await getJson<{ execArgv: string[] }>(await herd.port());
  const at = execArgv.indexOf('--max-old-space-size=200');
  assert.ok(at !== -1, execArgv.join(' '));
  assert.equal(execArgv[at + 1], '--no-deprecation');
  assert.ok(at < execArgv.lastIndexOf('--import'), 'the user flags come before the preload');
});

test('a node flag node refuses fails the boot with node\'s message', async (t) => {
  const herd = await startHerd(t, [fixture('env-echo.js'), '-w', '1', '--node-args', '--no-such-node-flag'], { wait: false });
  assert.equal((await herd.exited).code, 1);
  assert.match(herd.output, /bad option: --no-such-node-flag/);
});
