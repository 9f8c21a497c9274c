import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { logFile, readRawLines, TIMESTAMP } from '../../helpers/logs.js';

test('plain lines carry an ISO timestamp in the log file, not on the terminal; JSON lines are left alone', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-json-worker-field.js'), '-w', '1', '--log-file', log.path]);
  await herd.waitFor(/listening on/);
  herd.signal('SIGTERM');
  assert.equal((await herd.exited).code, 0);

  assert.match(herd.output, /^A \d+ \| a plain line$/m);
  const lines = readRawLines(log.path);
  const plain = lines.find((l) => l.endsWith('| a plain line'));
  assert.ok(plain, lines.join('\n'));
  assert.match(plain, new RegExp(`${TIMESTAMP.source}A \\d+ \\| a plain line$`));
  const stamp = new Date(plain.slice(0, 24)).getTime();
  assert.ok(Math.abs(Date.now() - stamp) < 10 * 60_000, `timestamp ${plain.slice(0, 24)} is now-ish`);
  assert.ok(lines.some((l) => TIMESTAMP.test(l) && /primary \d+ \| herd: ".*" ready/.test(l)));
  const json = lines.find((l) => l.includes('"charged"'));
  assert.ok(json?.startsWith('{'), `JSON line without a prefix: ${json}`);
});
