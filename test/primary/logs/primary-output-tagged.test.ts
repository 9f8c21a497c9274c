import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test("what the primary module prints is a tagged line of the one log, in the file too", async (t) => {
  const log = logFile();
  const dir = tempDir();
  const config = join(dir, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ primary: fixture('primary-prints.cjs'), logs: { file: log.path } }));
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--config', config]);
  const port = await herd.port();
  await get(port, '/tell-primary');
  await herd.waitFor(/primary module warns/);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  assert.match(herd.output, new RegExp(`^primary ${herd.pid} \\| primary module got hi$`, 'm'));
  const lines = readLines(log.path);
  assert.ok(lines.includes(`primary ${herd.pid} | primary module got hi`), lines.join('\n'));
  assert.ok(lines.includes(`primary ${herd.pid} ! primary module warns`), lines.join('\n'));
});
