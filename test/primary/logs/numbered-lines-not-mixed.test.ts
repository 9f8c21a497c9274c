import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { logFile, readLines } from '../../helpers/logs.js';

test('20,000 numbered lines written concurrently by 2 workers all reach the file, none mixed', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('write-numbered-lines.js'), '-w', '2', '--log-file', log.path]);
  await herd.waitFor(/done A/, 120_000);
  await herd.waitFor(/done B/, 120_000);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  const pids = new Map<string, string>();
  const seen = { A: new Set<number>(), B: new Set<number>() };
  const whole = /^([AB]) (\d+) \| n \1 (\d+) (?:abcdefghij){10} end$/;
  for (const line of readLines(log.path)) {
    if (!/^[AB] \d+ \| n /.test(line)) continue;
    const m = line.match(whole);
    assert.ok(m, `a mixed or damaged line: ${JSON.stringify(line.slice(0, 300))}`);
    const [, code, pid, n] = m as unknown as [string, 'A' | 'B', string, string];
    if (!pids.has(code)) pids.set(code, pid);
    assert.equal(pid, pids.get(code), `worker ${code} is tagged with one pid`);
    assert.ok(!seen[code].has(Number(n)), `line ${code} ${n} appears twice`);
    seen[code].add(Number(n));
  }
  assert.equal(seen.A.size, 10_000, 'every line of A');
  assert.equal(seen.B.size, 10_000, 'every line of B');
  assert.notEqual(pids.get('A'), pids.get('B'));
});
