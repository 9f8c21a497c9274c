import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Outbox, type Link } from '../../src/channel/outbox.js';
import { message, type BatchMessage, type HerdMessage } from '../../src/shared/protocol.js';

function fakeLink(): Link & { sent: BatchMessage[]; done: Array<() => void>; connected: boolean } {
  const link = {
    connected: true,
    sent: [] as BatchMessage[],
    done: [] as Array<() => void>,
    send(msg: HerdMessage, done: () => void) {
      link.sent.push(msg as BatchMessage);
      link.done.push(done);
    },
  };
  return link;
}
const tick = () => new Promise((r) => process.nextTick(r));
const send = (n: number) => message('send', { event: 'e', args: [n], to: { kind: 'primary' } });

test('messages queued in one tick leave as one batch, in order', async () => {
  const link = fakeLink();
  const box = new Outbox(link, { window: 1 << 20, credit: 'written' });
  for (let i = 0; i < 5; i++) box.push(send(i), 10);
  assert.equal(link.sent.length, 0);
  await tick();
  assert.equal(link.sent.length, 1);
  assert.deepEqual(link.sent[0]!.msgs.map((m) => (m as ReturnType<typeof send>).args[0]), [0, 1, 2, 3, 4]);
  assert.equal(link.sent[0]!.size, 50);
});

test('past the window, push returns false, messages wait, and drain fires once credit returns', async () => {
  const link = fakeLink();
  let drains = 0;
  const box = new Outbox(link, { window: 100, credit: 'acked', onDrain: () => drains++ });
  const results = Array.from({ length: 30 }, (_, i) => box.push(send(i), 10));
  assert.equal(results.indexOf(false), 10);
  await tick();
  // Only one window's worth is in flight; the rest waits in the outbox.
  const inFlight = link.sent.reduce((n, b) => n + b.msgs.length, 0);
  assert.equal(inFlight, 10);
  box.release(100);
  box.release(100);
  box.release(100);
  assert.equal(link.sent.reduce((n, b) => n + b.msgs.length, 0), 30);
  assert.equal(drains, 1);
  const order = link.sent.flatMap((b) => b.msgs.map((m) => (m as ReturnType<typeof send>).args[0]));
  assert.deepEqual(order, Array.from({ length: 30 }, (_, i) => i));
});

test('a gone link drops what waits but still runs the write callbacks', async () => {
  const link = fakeLink();
  link.connected = false;
  const box = new Outbox(link, { window: 100, credit: 'written' });
  let written = 0;
  box.push(send(1), 10, () => written++);
  box.push(send(2), 10, () => written++);
  await tick();
  assert.equal(link.sent.length, 0);
  assert.equal(written, 2);
  assert.equal(box.pending, 0);
});

test('a lone small message the other side would ack at once goes bare, its credit back on write', async () => {
  const link = fakeLink();
  const box = new Outbox(link, { window: 100, credit: 'acked', bare: (m) => m.verb === 'request' });
  box.push(message('request', { id: 1, mode: 'consume', event: 'e', args: [], timeout: 0 }), 10);
  await tick();
  assert.equal(link.sent[0]!.verb as string, 'request');
  assert.equal(box.pending, 10);
  link.done[0]!();
  assert.equal(box.pending, 0);
  // A relayed send still travels in an envelope and waits for the ack.
  box.push(send(1), 10);
  await tick();
  assert.equal(link.sent[1]!.verb, 'batch');
  link.done[1]!();
  assert.equal(box.pending, 10);
});
