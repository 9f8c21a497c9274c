import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { PrimaryRouter } from '../../src/channel/primary.js';
import { Registry, type WorkerRecord } from '../../src/primary/registry.js';
import type { Supervisor } from '../../src/primary/supervisor.js';
import { message, type CallMessage, type HerdMessage } from '../../src/shared/protocol.js';
import { CHANNEL_FD } from '../../src/shared/env.js';
import { FrameReader } from '../../src/shared/wire.js';

// The router against a stand-in supervisor: workers are records whose "send"
// records what the primary wrote on the channel's pipe (read as a worker would), so timeouts, exits and late replies can be
// played in any order.

function channelPipe(out: HerdMessage[]) {
  const reader = new FrameReader((msg) => {
    const m = msg as HerdMessage;
    out.push(...(m.verb === 'batch' ? m.msgs : [m]));
  });
  const stdio: unknown[] = [];
  stdio[CHANNEL_FD] = { writable: true, write: (frame: Buffer, cb: () => void) => { reader.push(frame); cb(); } };
  return stdio;
}

function cluster(codes: string[]) {
  const supervisor = Object.assign(new EventEmitter(), { registry: new Registry(), reload: async () => {} });
  const sent = new Map<string, HerdMessage[]>();
  const records = codes.map((code, i) => {
    const slot = supervisor.registry.slot(i);
    const out: HerdMessage[] = [];
    sent.set(code, out);
    const record: WorkerRecord = {
      slot, code, id: i + 1, pid: 1000 + i, generation: 1, startedAt: 0, state: 'ready', readyAt: 0, retireReason: undefined, served: false,
      handle: { process: { stdio: channelPipe(out) } } as never,
    };
    supervisor.registry.add(record);
    return record;
  });
  const router = new PrimaryRouter(supervisor as unknown as Supervisor);
  const fromWorker = (record: WorkerRecord, msg: HerdMessage) => supervisor.emit('worker-message', record, msg);
  const calls = (code: string) => sent.get(code)!.filter((m): m is CallMessage => m.verb === 'call');
  const exit = (record: WorkerRecord) => {
    record.state = 'exited';
    supervisor.registry.remove(record);
    supervisor.emit('worker-exit', { code: record.code, pid: record.pid });
  };
  return { router, records, fromWorker, calls, exit };
}
const tick = () => new Promise((r) => setImmediate(r));

test('map: a silent worker times out, its late reply is dropped, and nothing stays open', async () => {
  const { router, records, fromWorker, calls } = cluster(['A', 'B']);
  const result = router.request('map', 'stats', [1], 0, 50);
  await tick();
  const [callA] = calls('A');
  const [callB] = calls('B');
  fromWorker(records[0]!, message('reply', { id: callA!.id, outcome: { ok: true, value: 'a' } }));
  const entries = (await result) as Array<{ code: string; value?: unknown; error?: Error & { code?: string } }>;
  assert.equal(entries[0]!.value, 'a');
  assert.equal(entries[1]!.error!.code, 'ERR_HERD_TIMEOUT');
  assert.equal(router.openCalls, 0);
  // B answers after all: dropped, nothing reopened.
  fromWorker(records[1]!, message('reply', { id: callB!.id, outcome: { ok: true, value: 'late' } }));
  assert.equal(router.openCalls, 0);
});

test('map: a worker that exits first becomes ERR_HERD_WORKER_EXITED', async () => {
  const { router, records, fromWorker, calls, exit } = cluster(['A', 'B']);
  const result = router.request('map', 'stats', [], 0, 5000);
  await tick();
  fromWorker(records[0]!, message('reply', { id: calls('A')[0]!.id, outcome: { ok: true, value: 1 } }));
  exit(records[1]!);
  const entries = (await result) as Array<{ code: string; error?: Error & { code?: string } }>;
  assert.equal(entries[1]!.error!.code, 'ERR_HERD_WORKER_EXITED');
  assert.equal(router.openCalls, 0);
});

test('consume: the call moves to another listening worker when the chosen one exits', async () => {
  const { router, records, fromWorker, calls, exit } = cluster(['A', 'B']);
  for (const r of records) fromWorker(r, message('listen', { event: 'job', on: true }));
  const result = router.request('consume', 'job', [7], 0, 0);
  await tick();
  const first = calls('A').length === 1 ? 0 : 1;
  const other = 1 - first;
  assert.equal(calls(records[first]!.code).length, 1);
  assert.equal(calls(records[other]!.code).length, 0);
  exit(records[first]!);
  await tick();
  const [redelivered] = calls(records[other]!.code);
  assert.deepEqual(redelivered!.args, [7]);
  fromWorker(records[other]!, message('reply', { id: redelivered!.id, outcome: { ok: true, value: 14 } }));
  assert.equal(await result, 14);
  assert.equal(router.openCalls, 0);
});
