import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { channel, start } from 'herd';
import { fixture, isAlive, tempDir } from '../helpers/herd.js';
import { readLines } from '../helpers/logs.js';

// At least 4,000 consume calls, and until 3 kills have landed, while a worker is SIGKILLed every 700 ms: a call whose
// worker dies is redelivered, a call that finds no listener waits for the
// respawn, and every call settles exactly once with the right answer.

const MIN_CALLS = 4_000;
const MIN_KILLS = 3;

test('consume under SIGKILLs: every call settles once, none for want of a listener', async (t) => {
  const home = tempDir();
  const file = join(home, 'app.log');
  const app = await start({ script: fixture('channel-consume-slow.js'), workers: 2, home, name: 'ck', logs: { file, terminal: false } });
  t.after(() => app.kill());

  const outcomes = new Map<number, { value?: unknown; error?: { code?: string; message: string } }>();
  let settledTwice = 0;
  const calls: Promise<void>[] = [];
  let killing = true;
  const killedPids = new Set<number>();
  const kills = (async () => {
    let n = 0;
    while (killing) {
      await new Promise((r) => setTimeout(r, 700));
      const ready = app.workers().filter((w) => w.state === 'ready' && isAlive(w.pid));
      const victim = ready[Math.floor(Math.random() * ready.length)];
      if (!killing || !victim) continue;
      killedPids.add(victim.pid);
      process.kill(victim.pid, 'SIGKILL');
      n++;
    }
    return n;
  })();
  // Spread over several seconds, so several kills land while calls are in flight.
  // A fast machine answers 4,000 calls in ~2 s: the calls go on until the kills have landed too.
  let count = 0;
  for (let n = 0; n < MIN_CALLS || (killedPids.size < MIN_KILLS && n < 5 * MIN_CALLS); n++, count = n) {
    const record = (o: { value?: unknown; error?: { code?: string; message: string } }): void => {
      if (outcomes.has(n)) settledTwice++;
      outcomes.set(n, o);
    };
    calls.push(channel.consume('job', n).then((value) => record({ value }), (error: Error & { code?: string }) => record({ error })));
    if (n % 100 === 99) await new Promise((r) => setTimeout(r, 60));
  }
  await Promise.all(calls);
  killing = false;
  const killed = await kills;

  const rejected = [...outcomes].filter(([, o]) => o.error);
  const wrong = [...outcomes].filter(([n, o]) => !o.error && o.value !== n * 2);
  await app.stop();
  // Which workers ran each call: a call runs again only when its worker died before answering.
  const ran = new Map<number, number[]>();
  // readLines: the file's lines without their timestamps.
  for (const m of readLines(file).join('\n').matchAll(/^[A-Z]+ (\d+) \| ran (\d+)$/gm)) {
    const n = Number(m[2]);
    ran.set(n, [...(ran.get(n) ?? []), Number(m[1])]);
  }
  const again = [...ran].filter(([, pids]) => pids.length > 1);
  const twice = again.length;
  console.log(`consume under kills: ${killed} kills, ${count} calls, ${twice} handlers ran twice (their worker died before answering)`);

  assert.ok(killed >= MIN_KILLS, `only ${killed} kills landed during the run`);
  assert.equal(outcomes.size, count, 'every call settled');
  assert.equal(settledTwice, 0);
  assert.deepEqual(rejected.slice(0, 5), [], `${rejected.length} calls were rejected`);
  assert.deepEqual(wrong.slice(0, 5), []);
  for (let n = 0; n < count; n++) assert.ok(ran.has(n), `the handler for call ${n} never ran`);
  const unexplained = again.filter(([, pids]) => pids.slice(0, -1).some((pid) => !killedPids.has(pid)));
  assert.deepEqual(unexplained.slice(0, 5), [], 'a call ran again although the worker that ran it first was not killed');
});

test('consume { timeout }: waits for a listener that comes in time; rejects with ERR_HERD_TIMEOUT when none does; bad values are refused', async (t) => {
  const home = tempDir();
  const app = await start({ script: fixture('channel-consume-slow.js'), workers: 1, home, name: 'ct', logs: { terminal: false } });
  t.after(() => app.kill());
  assert.equal(await channel.consume('job', 21, { timeout: 5000 }), 42);
  await assert.rejects(channel.consume('nobody-listens', 1, { timeout: 300 }), { code: 'ERR_HERD_TIMEOUT', message: /consume\("nobody-listens"\) got no answer within 300 ms/ });
  // With its only worker gone, a call waits for the respawn instead of failing.
  const [a] = app.workers();
  process.kill(a!.pid, 'SIGKILL');
  assert.equal(await channel.consume('job', 5, { timeout: 30_000 }), 10);
  for (const timeout of [0, -1, 1.5, '100', 2 ** 31]) {
    await assert.rejects(channel.consume('job', 1, { timeout: timeout as number }), { code: 'ERR_HERD_INVALID_ARGUMENT', message: /consume\("job"\) `timeout` must be an integer from 1 to 2147483647 \(ms\)/ });
  }
  // A call in flight when the herd stops settles with a coded error.
  const pending = assert.rejects(channel.consume('nobody-listens', 1), { code: 'ERR_HERD_STOPPING' });
  await app.stop();
  await pending;
});
