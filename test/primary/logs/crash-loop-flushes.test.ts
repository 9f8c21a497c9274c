import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('on crash-loop exit every line of every crashed worker is in the file', async (t) => {
  const log = logFile();
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'herd.config.json');
  writeFileSync(config, JSON.stringify({ logs: { file: log.path }, restart: { maxRestarts: 2, minDelay: 10, maxDelay: 10 } }));
  const herd = await startHerd(t, [fixture('log-then-crash.js'), '-w', '1', '--config', config], { wait: false });
  const exit = await herd.exited;
  assert.equal(exit.code, 1, herd.output.slice(-2000));

  const lines = readLines(log.path);
  assert.ok(lines.some((l) => /^primary \d+ ! crash loop: more than 2 restarts/.test(l)), 'the crash loop is logged');
  const byPid = new Map<string, number[]>();
  for (const l of lines) {
    const m = l.match(/^A (\d+) \| crash (\d+) (\d+) -{40}$/);
    if (!m) continue;
    assert.equal(m[1], m[2], 'tagged with the pid that wrote it');
    byPid.set(m[1]!, [...(byPid.get(m[1]!) ?? []), Number(m[3])]);
  }
  assert.ok(byPid.size >= 3, `at least 3 generations crashed, saw ${byPid.size}`);
  for (const [pid, ns] of byPid) {
    assert.deepEqual(ns, Array.from({ length: 2000 }, (_, i) => i + 1), `worker ${pid} lost lines`);
    assert.ok(lines.some((l) => l.startsWith(`A ${pid} ! uncaughtException: Error: crashing ${pid}`)), `the stack of ${pid}`);
  }
});
