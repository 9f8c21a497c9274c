import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { getJson } from '../../helpers/http.js';

interface Echo { pid: number; foo: string | null; execArgv: string[] }

test('herd reload re-reads the config: new env, workers and nodeArgs reach the new generation; restart-only keys are reported', async (t) => {
  const dir = tempDir();
  const config = join(dir, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ script: fixture('env-echo.js'), workers: 1, env: { FOO: 'one' } }));
  const herd = await startHerd(t, [], { cwd: dir });
  const port = await herd.port();
  assert.equal((await getJson<Echo>(port)).foo, 'one');

  writeFileSync(config, JSON.stringify({
    script: fixture('env-echo.js'), workers: 2, env: { FOO: 'two' }, nodeArgs: ['--max-old-space-size=200'], balancer: 'os',
  }));
  const r = await herd.cli('reload');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /reloaded \(generation 2\)/);
  assert.match(r.stderr, /not applied by a reload, needs herd restart: balancer \("round-robin" → "os"\)/);
  assert.match(herd.output, /primary \d+ ! herd: not applied by a reload, needs herd restart: balancer/);

  const status = await herd.status();
  assert.deepEqual(status.workers.map((w) => [w.code, w.state, w.generation]), [['A', 'ready', 2], ['B', 'ready', 2]]);
  const pids = new Set(status.workers.map((w) => w.pid));
  for (let i = 0; i < 6; i++) {
    const echo = await getJson<Echo>(port);
    assert.ok(pids.has(echo.pid), `answered by ${echo.pid}, not a new worker`);
    assert.equal(echo.foo, 'two');
    assert.ok(echo.execArgv.includes('--max-old-space-size=200'));
  }
});
