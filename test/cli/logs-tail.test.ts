import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { get } from '../helpers/http.js';

test('herd logs -n 5 prints exactly the last 5 lines of the aggregated log, without a log file', async (t) => {
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '2']);
  const port = await herd.port();
  await get(port, '/print?tag=tail&n=40');
  await herd.waitFor(/tail 40 /);

  const r = await herd.cli('logs', '-n', '5');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 5);
  assert.deepEqual(lines.map((l) => l.replace(/^[AB] \d+ \| /, '').split(' ').slice(0, 2).join(' ')), ['tail 36', 'tail 37', 'tail 38', 'tail 39', 'tail 40']);
  assert.ok(lines.every((l) => l.startsWith(`${lines[0]!.split(' ').slice(0, 2).join(' ')} | `)), 'one worker wrote them');

  const none = await herd.cli('logs', '-n', '0');
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, '');
});
