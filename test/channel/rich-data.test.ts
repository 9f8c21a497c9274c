import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

test('Date, Buffer, Map, Set, bigint, typed arrays, cycles and 1–2 MB payloads arrive intact', async (t) => {
  const herd = await startHerd(t, [fixture('channel-rich-data.js'), '-w', '2']);
  const m = await herd.waitFor(/^B \d+ \| B checks (.*)$/m);
  assert.deepEqual(JSON.parse(m[1]!), { date: true, map: true, set: true, bigint: true, typed: true, buffer: true, cycle: true, bigText: true });
});

test('values on the edge of JSON (-0, NaN, undefined, holes, __proto__ keys, lone surrogates, shared references) cross every hop intact', async (t) => {
  const herd = await startHerd(t, [fixture('channel-boundary-values.js'), '-w', '2']);
  const m = await herd.waitFor(/^A \d+ \| A boundary (.*)$/m);
  const results = JSON.parse(m[1]!) as Record<string, boolean>;
  assert.ok(Object.keys(results).length >= 17, m[1]);
  assert.deepEqual(Object.entries(results).filter(([, ok]) => !ok).map(([name]) => name), []);
});
