import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { History, SAMPLE_MS } from '../../../src/primary/dashboard/history.js';
import { parseLogLine } from '../../../src/primary/dashboard/log-lines.js';
import { Timeline, type TimelineEntry } from '../../../src/primary/dashboard/timeline.js';
import type { StatusResult } from '../../../src/shared/control.js';

// The parts of the dashboard's live feed, in-process: the timeline's words
// for each event, the chart history's requests/s, the log-line parser.

function timeline(): { app: EventEmitter; engine: EventEmitter; entries: TimelineEntry[] } {
  const app = new EventEmitter();
  const engine = new EventEmitter();
  const entries: TimelineEntry[] = [];
  new Timeline(app, engine, (e) => entries.push(e));
  return { app, engine, entries };
}

const worker = { code: 'A', id: 1, pid: 100, state: 'ready' as const, restarts: 0, generation: 1, startedAt: 0 };

test('the timeline tells crashes with their error, once, and unexpected exits with their signal', () => {
  const { app, engine, entries } = timeline();
  engine.emit('worker-message', { code: 'A', pid: 100 }, { ns: 'HERD', verb: 'fatal', kind: 'uncaughtException', error: { name: 'Error', message: 'boom', code: 'E_BOOM', stack: 'Error: boom\n    at handler (server.js:3:9)' } });
  app.emit('worker-exit', { ...worker, exitCode: 1, signal: null, expected: true });
  app.emit('worker-exit', { ...worker, pid: 101, exitCode: null, signal: 'SIGKILL', expected: false });
  // A worker herd asked to go (reload, scale, stop) is not news.
  app.emit('worker-exit', { ...worker, pid: 102, exitCode: 0, signal: null, expected: true });
  assert.deepEqual(entries.map((e) => [e.kind, e.level, e.text]), [
    ['crash', 'error', 'worker A (pid 100) crashed: uncaughtException: boom [E_BOOM]'],
    ['crash', 'error', 'worker A (pid 101) exited unexpectedly (signal SIGKILL)'],
  ]);
  assert.deepEqual(entries[0]!.detail, ['at handler (server.js:3:9)']);
});

test('the timeline tells hangs with their stack, recycles and why, reloads, scaling, a crash loop', () => {
  const { app, engine, entries } = timeline();
  app.emit('worker-hung', { ...worker, silentFor: 2100, stack: ['at spin (server.js:7:3)'] });
  app.emit('worker-hung', { ...worker, pid: 101, silentFor: 2100, stack: [], stackError: 'inspector closed' });
  app.emit('worker-recycled', { ...worker, reason: 'memory', detail: 'RSS 600 MiB above maxMemory 512 MiB over two samples', replacement: { id: 2, pid: 200 } });
  app.emit('worker-recycled', { ...worker, reason: 'manual', detail: 'replaced from the dashboard', replacement: { id: 3, pid: 300 } });
  engine.emit('reload-start', { generation: 2 });
  app.emit('reload', { generation: 2, ok: true });
  app.emit('reload', { generation: 3, ok: false, error: new Error('worker A failed to boot\nstack') });
  engine.emit('scale', { from: 2, to: 3 });
  app.emit('crash-loop', new Error('crash loop: more than 10 restarts\nlast error'));
  assert.deepEqual(entries.map((e) => e.text), [
    'worker A (pid 100) hung: its event loop did not turn for 2100 ms; replaced',
    'worker A (pid 101) hung: its event loop did not turn for 2100 ms; replaced',
    'worker A (pid 100) recycled (memory): RSS 600 MiB above maxMemory 512 MiB over two samples; pid 200 serves',
    'worker A (pid 100) replaced on request; pid 300 serves',
    'reload to generation 2 started',
    'reload finished: generation 2 serves',
    'reload to generation 3 rolled back: worker A failed to boot',
    'scaled from 2 to 3 workers',
    'crash loop: more than 10 restarts',
  ]);
  assert.deepEqual(entries[0]!.detail, ['at spin (server.js:7:3)']);
  assert.deepEqual(entries[1]!.detail, ['stack not read: inspector closed']);
});

function status(workers: Array<{ code: string; pid: number; requests: number | null; state?: string; startedAt?: number }>): StatusResult {
  return {
    workers: workers.map((w) => ({ ...worker, state: 'ready', startedAt: 0, uptime: 0, memory: { rss: 1, heapUsed: 1 }, cpu: 1, eventLoopDelay: null, connections: 0, ...w })),
  } as unknown as StatusResult;
}

test('history: requests/s from two samples, a new worker in the slot counts from its start, a slot scaled away goes', () => {
  const h = new History();
  h.sample(status([{ code: 'A', pid: 1, requests: 0 }, { code: 'B', pid: 2, requests: 10 }]), 10_000);
  h.sample(status([{ code: 'A', pid: 1, requests: 40 }, { code: 'B', pid: 2, requests: 10 }]), 10_000 + SAMPLE_MS);
  assert.equal(h.rps('A'), 40 / (SAMPLE_MS / 1000));
  assert.equal(h.rps('B'), 0);
  // A replaced: the new worker started at 11 s and has served 5.
  h.sample(status([{ code: 'A', pid: 3, requests: 5, startedAt: 11_000 }, { code: 'B', pid: 2, requests: 30 }]), 12_000 + SAMPLE_MS);
  assert.equal(h.rps('A'), 1.7);
  assert.equal(h.rps('B'), 20 / (SAMPLE_MS / 1000));
  h.sample(status([{ code: 'A', pid: 3, requests: 5 }]), 20_000);
  assert.deepEqual(Object.keys(h.snapshot()), ['A']);
  assert.equal(h.snapshot().A!.length, 4);
});

test('history keeps ten minutes of points per slot', () => {
  const h = new History();
  for (let i = 0; i < 400; i++) h.sample(status([{ code: 'A', pid: 1, requests: i }]), i * SAMPLE_MS);
  const points = h.snapshot().A!;
  assert.equal(points.length, (10 * 60_000) / SAMPLE_MS);
  assert.equal(points.at(-1)![0], 399 * SAMPLE_MS);
});

test('log lines in parts: plain, stderr, with a time, JSON, and not herd\'s', () => {
  assert.deepEqual(parseLogLine('A 4111 | hello | world'), { code: 'A', pid: 4111, stderr: false, text: 'hello | world' });
  assert.deepEqual(parseLogLine('primary 7 ! herd: oops'), { code: 'primary', pid: 7, stderr: true, text: 'herd: oops' });
  assert.deepEqual(parseLogLine('2026-11-25T10:00:00.000Z AB 12 | x'), { code: 'AB', pid: 12, stderr: false, text: 'x', time: Date.parse('2026-11-25T10:00:00.000Z') });
  assert.deepEqual(parseLogLine('{"time":"t","worker":"B","pid":9,"stream":"stderr","msg":"m"}'), { code: 'B', pid: 9, stderr: true, text: 'm' });
  const app = '{"worker":"C","pid":3,"level":30,"msg":"pino","hostname":"h","reqId":1}';
  assert.deepEqual(parseLogLine(app), { code: 'C', pid: 3, stderr: false, text: app });
  assert.deepEqual(parseLogLine('{not json'), { code: '', pid: 0, stderr: false, text: '{not json' });
});
