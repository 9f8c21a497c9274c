import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { getJson } from '../../helpers/http.js';

test('a reload with a bad edited config is refused with the validation message and changes nothing', async (t) => {
  const dir = tempDir();
  const config = join(dir, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ script: fixture('env-echo.js'), workers: 1, env: { FOO: 'kept' } }));
  const herd = await startHerd(t, [], { cwd: dir });
  const port = await herd.port();
  const before = await herd.status();

  writeFileSync(config, JSON.stringify({ script: fixture('env-echo.js'), workers: 'many', env: { FOO: 'new' } }));
  const bad = await herd.cli('reload');
  assert.equal(bad.code, 2, bad.stdout);
  assert.match(bad.stderr, /`workers` must be 'auto' or an integer.*received "many" \[ERR_HERD_INVALID_OPTION\]/);
  assert.match(herd.output, /herd: reload refused, the configuration is not valid: `workers` must be/);

  writeFileSync(config, '{ "script": ');
  const broken = await herd.cli('reload');
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /cannot load config .*herd\.config\.json.*\[ERR_HERD_CONFIG_LOAD\]/);

  const after = await herd.status();
  assert.equal(after.generation, before.generation);
  assert.deepEqual(after.workers.map((w) => w.pid), before.workers.map((w) => w.pid));
  assert.equal((await getJson<{ foo: string }>(port)).foo, 'kept');
});
