// The workers of the fleet benchmark: two herds (hosts h1 and h2) on one
// Redis. Worker A of h1 drives every phase; the workers of h2 receive. The
// raw node-redis references run between the same two processes (h1/A, h2/A).
import { createClient } from 'redis';
import { channel, ready } from 'herd';

const HOST = process.env.FLEET_HOST;
const N = Number(process.env.BENCH_MESSAGES);
const CALLS = Number(process.env.BENCH_CALLS);
const url = process.env.REDIS_URL;
const PAYLOAD = { id: 42, name: 'a small message', ok: true };
const connect = async () => {
  const c = createClient({ url });
  c.on('error', (error) => console.error(`redis: ${error.message}`));
  await c.connect();
  return c;
};

// h2: counts broadcasts and answers consumes; its A runs the raw references.
if (HOST === 'h2') {
  let got = 0;
  channel.on('tick', (i) => {
    got++;
    if (i === N - 1) {
      channel.emitTo('h1/A', 'got', got);
      got = 0;
    }
  });
  channel.on('echo', (i) => i);
  // Both workers of h2 subscribe, as both get herd's broadcasts.
  const sub = await connect();
  let raw = 0;
  await sub.subscribe('bench:raw', (message) => {
    raw++;
    if (JSON.parse(message).i === N - 1) {
      channel.emitTo('h1/A', 'rawgot', raw);
      raw = 0;
    }
  });
  if (channel.code === 'A') {
    const pub = await connect();
    const block = await connect();
    await block.xGroupCreate('bench:rawjobs', 'g', '0', { MKSTREAM: true }).catch(() => {});
    // The raw consume: XREADGROUP, run, XACK + XDEL, PUBLISH the answer.
    (async () => {
      for (;;) {
        const reply = await block.xReadGroup('g', 'c', { key: 'bench:rawjobs', id: '>' }, { COUNT: 32, BLOCK: 1000 });
        for (const stream of reply ?? []) {
          for (const { id, message } of stream.messages) {
            await Promise.all([pub.xAck('bench:rawjobs', 'g', id), pub.xDel('bench:rawjobs', id), pub.publish('bench:rawreply', message.i)]);
          }
        }
      }
    })().catch((error) => console.error(`raw consumer: ${error.message}`));
  }
  ready();
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const report = (r) => console.log(`RESULT ${JSON.stringify(r)}`);

async function run() {
  // Until h2's workers answer a map: the fleet is formed.
  for (;;) {
    const entries = await channel.map('who', { timeout: 1000 }).catch(() => []);
    if (entries.filter((e) => e.host === 'h2' && !e.error).length === 2) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const nextGot = (event, want) => new Promise((resolve) => {
    let seen = 0;
    const on = () => {
      if (++seen === want) {
        channel.off(event, on);
        resolve();
      }
    };
    channel.on(event, on);
  });

  // 1. Cross-host broadcast, with the channel's backpressure.
  for (let round = 0; round < 3; round++) {
    const done = nextGot('got', 2);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      if (!channel.broadcast('tick', i, PAYLOAD)) await new Promise((r) => channel.once('drain', r));
    }
    await done;
    report({ name: 'herd broadcast', msgsPerSec: N / ((performance.now() - t0) / 1000) });

    // The same messages over raw node-redis pub/sub: one PUBLISH each.
    const pub = await connect();
    const rawDone = nextGot('rawgot', 2);
    const t1 = performance.now();
    for (let i = 0; i < N; i += 1000) {
      const batch = [];
      for (let j = i; j < Math.min(N, i + 1000); j++) batch.push(pub.publish('bench:raw', JSON.stringify({ i: j, ...PAYLOAD })));
      await Promise.all(batch);
    }
    await rawDone;
    report({ name: 'raw pub/sub', msgsPerSec: N / ((performance.now() - t1) / 1000) });
    pub.destroy();
  }

  // 2. consume round trip, one call at a time, run by h2 (h1 does not listen for 'echo').
  const herdLat = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    if ((await channel.consume('echo', i)) !== i) throw new Error('wrong answer');
    herdLat.push((performance.now() - t0) * 1000);
  }
  herdLat.sort((a, b) => a - b);
  report({ name: 'herd consume', p50: pct(herdLat, 50), p99: pct(herdLat, 99) });

  // The raw round trip: XADD, h2/A's XREADGROUP, XACK + XDEL, PUBLISH back.
  const pub = await connect();
  const sub = await connect();
  let waiting;
  await sub.subscribe('bench:rawreply', (i) => waiting?.(i));
  const rawLat = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    const answered = new Promise((resolve) => { waiting = resolve; });
    await pub.xAdd('bench:rawjobs', '*', { i: String(i) });
    if (Number(await answered) !== i) throw new Error('wrong raw answer');
    rawLat.push((performance.now() - t0) * 1000);
  }
  rawLat.sort((a, b) => a - b);
  report({ name: 'raw streams', p50: pct(rawLat, 50), p99: pct(rawLat, 99) });
  console.log('RESULT end');
}

if (HOST === 'h1') {
  channel.on('who', () => process.pid);
  ready();
  if (channel.code === 'A') run().catch((error) => console.log(`RESULT failed ${error.stack}`));
} else {
  channel.on('who', () => process.pid);
}
