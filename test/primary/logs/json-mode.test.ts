import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('logs.json: true writes every line, the primary\'s too, as one JSON object', async (t) => {
  const log = logFile();
  const config = join(log.dir, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ logs: { file: log.path, json: true } }));
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--config', config], { wait: false });
  await herd.waitFor(/"worker":"primary".*ready/);
  const port = Number((await herd.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
  await get(port, '/stderr?text=bad%20thing');
  await get(port, '/pino?n=1');
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const entries = readLines(log.path).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(entries.length >= 4);
  const err = entries.find((e) => e.msg === 'bad thing');
  assert.equal(err?.stream, 'stderr');
  assert.equal(err?.worker, 'A');
  assert.equal(typeof err?.pid, 'number');
  assert.ok(!Number.isNaN(Date.parse(err?.time as string)));
  const pinoEntry = entries.find((e) => e.msg === 'pino line 1');
  assert.equal(pinoEntry?.stream, 'stdout');
  assert.equal(pinoEntry?.level, 30, 'the app\'s own fields are kept');
  assert.ok(entries.some((e) => e.worker === 'primary' && /ready/.test(e.msg as string)));
});
