import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

const MAX_SIZE = 20_000;

test('the file rotates at logs.maxSize and keeps logs.maxFiles rotated files, newest lines intact', async (t) => {
  const log = logFile();
  const configDir = tempDir();
  t.after(() => rmSync(configDir, { recursive: true, force: true }));
  const config = join(configDir, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ logs: { file: log.path, maxSize: MAX_SIZE, maxFiles: 3 } }));
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--config', config]);
  const port = await herd.port();
  // About 140 KB: seven files' worth, so old ones must go.
  for (let batch = 0; batch < 4; batch++) assert.equal((await get(port, `/print?tag=r${batch}&n=500`)).status, 200);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  assert.deepEqual(readdirSync(log.dir).sort(), ['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
  for (const rotated of ['app.log.1', 'app.log.2', 'app.log.3']) {
    const size = statSync(join(log.dir, rotated)).size;
    assert.ok(size >= MAX_SIZE, `${rotated} rotated at ${size} bytes, before maxSize`);
    assert.ok(size <= MAX_SIZE + MAX_SIZE / 16 + 200, `${rotated} grew to ${size} bytes, far past maxSize`);
  }
  assert.ok(statSync(log.path).size < MAX_SIZE + MAX_SIZE / 16 + 200);

  // Oldest first, the kept files hold one unbroken run of lines ending with the last one.
  const kept = ['app.log.3', 'app.log.2', 'app.log.1', 'app.log']
    .flatMap((f) => readLines(join(log.dir, f)))
    .filter((l) => /^A \d+ \| r\d /.test(l))
    .map((l) => { const [, batch, n] = l.match(/\| r(\d) (\d+) /)!; return Number(batch) * 500 + Number(n); });
  assert.equal(kept.at(-1), 2000);
  // Four files of ~20 KB, lines of ~100 bytes with their timestamp.
  assert.ok(kept.length > 600 && kept.length < 2000, `kept ${kept.length} lines`);
  assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => 2000 - kept.length + 1 + i));
});
