import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatJson, formatText, type LogLine } from '../../../src/primary/logs/format.js';

const line = (text: string, extra: Partial<LogLine> = {}): LogLine => ({ source: 'B', pid: 42, stream: 'stdout', text, time: 0, ...extra });

test('plain lines get the code, the pid and | or !', () => {
  assert.equal(formatText(line('hello'), false), 'B 42 | hello');
  assert.equal(formatText(line('oops', { stream: 'stderr' }), false), 'B 42 ! oops');
  assert.equal(formatText(line('part', { continued: true }), false), 'B 42 | part [continued]');
});

test('with timestamp, plain lines start with the ISO time; JSON lines do not change', () => {
  assert.equal(formatText(line('hello', { time: 0 }), false, true), '1970-01-01T00:00:00.000Z B 42 | hello');
  assert.equal(formatText(line('{"a":1}', { time: 0 }), false, true), '{"worker":"B","pid":42,"a":1}');
  assert.match(formatText(line('hello', { time: 0 }), true, true), /^1970-01-01T00:00:00\.000Z \x1b\[\d+mB 42 \|\x1b\[0m hello$/);
});

test('colour only wraps the prefix', () => {
  const coloured = formatText(line('hello'), true);
  assert.match(coloured, /^\x1b\[\d+mB 42 \|\x1b\[0m hello$/);
  assert.notEqual(coloured, formatText(line('hello', { source: 'A' }), true).replace('A 42', 'B 42'));
});

test('JSON lines keep the app\'s bytes (big integers too) with worker and pid added', () => {
  const big = '{"id":12345678901234567890,"msg":"x"}';
  assert.equal(formatText(line(big), false), '{"worker":"B","pid":42,"id":12345678901234567890,"msg":"x"}');
  assert.equal(formatText(line('{}'), false), '{"worker":"B","pid":42}');
  assert.equal(formatText(line('{"pid":42,"a":1}'), false), '{"worker":"B","pid":42,"a":1}');
  // The app's own fields are kept; herd's tag then goes under its documented name.
  assert.equal(formatText(line('{"pid":7,"a":1}'), false), '{"worker":"B","herdPid":42,"pid":7,"a":1}');
  assert.equal(formatText(line('{"worker":"billing","pid":42}'), false), '{"herdWorker":"B","worker":"billing","pid":42}');
  // Not JSON objects: plain lines.
  assert.equal(formatText(line('{not json}'), false), 'B 42 | {not json}');
  assert.equal(formatText(line('[1,2]'), false), 'B 42 | [1,2]');
});

test('JSON mode: plain lines become objects, JSON lines gain stream', () => {
  assert.deepEqual(JSON.parse(formatJson(line('hi', { stream: 'stderr', time: 0 }))), {
    time: '1970-01-01T00:00:00.000Z', worker: 'B', pid: 42, stream: 'stderr', msg: 'hi',
  });
  assert.deepEqual(JSON.parse(formatJson(line('{"level":30}'))), { worker: 'B', pid: 42, stream: 'stdout', level: 30 });
  assert.equal(JSON.parse(formatJson(line('{"a":1', { continued: true }))).continued, true);
});
