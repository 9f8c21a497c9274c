import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HerdError } from '../../src/errors.js';
import { BUFFER_FRAMES, Bus } from '../../src/fleet/bus.js';
import { decodeFrame } from '../../src/fleet/frames.js';
import { Keys } from '../../src/fleet/keys.js';
import type { Connections } from '../../src/fleet/redis.js';

// The bus while Redis is down, with a stand-in for node-redis: frames wait up
// to the bound, beyond it they are dropped with one coded report, and on
// reconnect they go out in order once another host is heard from.

class FakeClient {
  isReady = false;
  readonly sent: Array<ReadonlyArray<string | Buffer>> = [];
  readonly #listeners = new Map<string, Array<(e?: Error) => void>>();
  on(event: string, fn: (e?: Error) => void): void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), fn]);
  }
  emit(event: string): void {
    for (const fn of this.#listeners.get(event) ?? []) fn(new Error(event));
  }
  async sendCommand(args: ReadonlyArray<string | Buffer>): Promise<unknown> {
    this.sent.push(args);
    return 0;
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('frames wait while Redis is down, up to the bound; one coded report; sent in order after a reconnect', async () => {
  const cmd = new FakeClient();
  const conns = { cmd, sub: cmd, block: cmd } as unknown as Connections;
  const reports: HerdError[] = [];
  const bus = new Bus(conns, new Keys('p:', 'n'), 'h1', () => {}, (e) => reports.push(e));
  cmd.emit('error');
  // One frame per turn: each send below is its own batch.
  for (let i = 0; i < BUFFER_FRAMES + 50; i++) {
    bus.send(i % 2 === 0 ? null : 'h2', { t: 'deliver', to: null, event: 'e', args: [i], from: { code: 'A', id: 1, pid: 1 } });
    await turn();
  }
  assert.equal(bus.waiting, BUFFER_FRAMES);
  assert.equal(bus.dropped, 50);
  assert.equal(reports.length, 1);
  assert.equal(reports[0]!.code, 'ERR_HERD_FLEET_BUFFER_FULL');
  assert.equal(cmd.sent.length, 0);

  cmd.isReady = true;
  cmd.emit('ready');
  // Only the hello goes out until another host is heard from.
  assert.equal(cmd.sent.length, 1);
  assert.equal(decodeFrame(cmd.sent[0]![2] as Buffer)!.msgs[0]!.t, 'hello');
  bus.resume();
  assert.equal(bus.waiting, 0);
  const frames = cmd.sent.slice(1);
  assert.equal(frames.length, BUFFER_FRAMES);
  frames.forEach((args, i) => {
    assert.equal(args[1], i % 2 === 0 ? 'p:n:to:*' : 'p:n:to:h2');
    const msg = decodeFrame(args[2] as Buffer)!.msgs[0] as { args: number[] };
    assert.equal(msg.args[0], i);
  });
});
