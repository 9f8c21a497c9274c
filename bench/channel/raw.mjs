// The reference for bench/channel.mjs: the same scenarios with raw
// process.send between a node:cluster primary and two workers (no herd).
// Usage: node raw.mjs <advanced|json>
import cluster from 'node:cluster';
import { COUNTS, PAYLOADS, percentiles } from './payloads.mjs';

const serialization = process.argv[2] ?? 'advanced';

if (cluster.isPrimary) {
  cluster.setupPrimary({ serialization });
  const a = cluster.fork({ ROLE: 'A' });
  const b = cluster.fork({ ROLE: 'B' });
  let expected = 0;
  let got = 0;
  a.on('message', (msg) => {
    switch (msg.t) {
      case 'm': case 'expect': case 'req': return b.send(msg);
      case 'pexpect': expected = msg.n; got = 0; return;
      case 'pm': if (++got === expected) a.send({ t: 'pdone' }); return;
      case 'result': console.log(`RESULT ${JSON.stringify(msg.result)}`); return;
      case 'end': console.log('RESULT end'); a.kill(); b.kill(); return;
    }
  });
  b.on('message', (msg) => a.send(msg));
} else if (process.env.ROLE === 'B') {
  let expected = 0;
  let got = 0;
  process.on('message', (msg) => {
    if (msg.t === 'expect') { expected = msg.n; got = 0; }
    else if (msg.t === 'm' && ++got === expected) process.send({ t: 'done' });
    else if (msg.t === 'req') process.send({ t: 'res', id: msg.id, p: msg.p });
  });
} else {
  const waiters = new Map();
  process.on('message', (msg) => {
    const key = msg.t === 'res' ? `res${msg.id}` : msg.t;
    const w = waiters.get(key);
    waiters.delete(key);
    w?.(msg);
  });
  const waitFor = (key) => new Promise((resolve) => waiters.set(key, resolve));

  const throughput = async (route, payload, count) => {
    const done = waitFor(route === 'primary' ? 'pdone' : 'done');
    process.send({ t: route === 'primary' ? 'pexpect' : 'expect', n: count });
    const start = process.hrtime.bigint();
    const t = route === 'primary' ? 'pm' : 'm';
    for (let i = 0; i < count; i++) process.send({ t, i, p: payload });
    await done;
    return Math.round(count / (Number(process.hrtime.bigint() - start) / 1e9));
  };
  const roundTrip = async (payload, count, warmup) => {
    const samples = [];
    for (let id = -warmup; id < count; id++) {
      const start = process.hrtime.bigint();
      const answer = waitFor(`res${id}`);
      process.send({ t: 'req', id, p: payload });
      await answer;
      if (id >= 0) samples.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    return percentiles(samples);
  };

  // Give B a moment to be listening: its first message would otherwise wait in the pipe anyway.
  setTimeout(async () => {
    for (const [name, payload] of Object.entries(PAYLOADS)) {
      // JSON cannot carry a Map, a bigint or a Buffer as themselves.
      if (serialization === 'json' && name === 'rich') continue;
      const { messages, requests, warmup } = COUNTS[name];
      await throughput('worker', payload, Math.min(1000, messages));
      const workerToWorker = await throughput('worker', payload, messages);
      const workerToPrimary = await throughput('primary', payload, messages);
      const rtt = await roundTrip(payload, requests, warmup);
      process.send({ t: 'result', result: { payload: name, workerToWorker, workerToPrimary, rttP50: rtt.p50, rttP99: rtt.p99 } });
    }
    process.send({ t: 'end' });
  }, 300);
}
