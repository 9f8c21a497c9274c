import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channel, type Channel } from '../../src/index.js';

interface Events {
  job(n: number, label: string): { doubled: number };
  ping(): void;
}

// `npm test` typechecks this file: the @ts-expect-error lines fail the build if the types stop checking.
function typedUsage(ch: Channel<Events>): void {
  ch.on('job', (n, label) => ({ doubled: n * 2 + label.length }));
  ch.emit('ping');
  // @ts-expect-error a string where job takes a number
  ch.emit('job', 'one', 'x');
  // @ts-expect-error an event the map does not have
  ch.emit('nope');
  const answer: Promise<{ doubled: number }> = ch.consume('job', 1, 'x');
  void answer;
  void ch.map('job', 1, 'x', { timeout: 100 }).then((entries) => entries.map((e) => e.value?.doubled ?? e.error?.message));
}

test('channel.typed() is the same channel, typed with an event map', () => {
  const typed = channel.typed<Events>();
  assert.equal(typed, channel);
  assert.equal(typeof typedUsage, 'function');
});
