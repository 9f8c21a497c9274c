import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test('Date, Buffer, Map, Set, bigint, typed arrays, cycles and 1–2 MB payloads arrive intact', async (t) => {
  const herd = await startHerd(t, [fixture('channel-rich-data.js'), '-w', '2']);
  const m = await herd.waitFor(/^B \d+ \| B checks (.*)$/m);
  assert.deepEqual(JSON.parse(m[1]!), { date: true, map: true, set: true, bigint: true, typed: true, buffer: true, cycle: true, bigText: true });
});
