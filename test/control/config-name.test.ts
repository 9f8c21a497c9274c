import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli, startHerd, tempDir } from '../helpers/herd.js';

test('herd start x.js --config herd.config.js and herd stop in the same folder agree on the herd', async (t) => {
  const home = tempDir();
  const dir = tempDir();
  // The config names another script: `start x.js` overrides it and the herd is named after x.js.
  writeFileSync(join(dir, 'herd.config.json'), JSON.stringify({ script: fixture('env-echo.js'), workers: 1 }));
  const herd = await startHerd(t, [fixture('http-server.js'), '--config', 'herd.config.json', '--name', 'http-server'], { cwd: dir, home });
  // Another herd in the same HERD_HOME, started elsewhere, is not the one meant here.
  await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'elsewhere'], { home });

  const status = await runCli(['status', '--json'], { home, cwd: dir });
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).name, 'http-server');
  const stop = await runCli(['stop'], { home, cwd: dir });
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /"http-server" stopped/);
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
