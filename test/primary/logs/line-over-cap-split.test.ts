import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { logFile, readLines } from '../../helpers/logs.js';

const CAP = 1024 * 1024;

test('a line over the 1 MiB cap is split into marked pieces that add up to the line', async (t) => {
  const log = logFile();
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', log.path]);
  const port = await herd.port();
  const bytes = CAP * 2 + 500;
  assert.equal((await get(port, '/long?bytes=' + bytes)).status, 200);
  await get(port, '/print?tag=after');
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });

  // Worker A's lines in their order (the primary's own lines may interleave: its pipe reads are asynchronous).
  const lines = readLines(log.path).filter((l) => /^A \d+ [|!] /.test(l));
  const first = lines.findIndex((l) => /^A \d+ \| long /.test(l));
  assert.notEqual(first, -1);
  const pieces = lines.slice(first, first + 3).map((l) => l.replace(/^A \d+ \| /, ''));
  assert.ok(pieces[0]!.endsWith(' [continued]') && pieces[1]!.endsWith(' [continued]'), 'the first two pieces are marked');
  assert.ok(!pieces[2]!.endsWith(' [continued]'), 'the last piece is not');
  const joined = pieces.map((p) => p.replace(/ \[continued\]$/, '')).join('');
  assert.equal(Buffer.byteLength(pieces[0]!.replace(/ \[continued\]$/, '')), CAP);
  assert.equal(Buffer.byteLength(joined), bytes);
  assert.match(joined, /^long A x+$/);
  assert.match(lines[first + 3]!, /^A \d+ \| after 1 /);
});
