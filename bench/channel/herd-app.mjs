// The herd side of bench/channel.mjs: worker A drives every scenario through
// the channel and prints one JSON line per result; B receives and answers.
import { channel, ready } from 'herd';
import { COUNTS, PAYLOADS, percentiles } from './payloads.mjs';

let expected = 0;
let got = 0;
channel.on('expect', (n) => {
  expected = n;
  got = 0;
});
channel.on('m', () => {
  if (++got === expected) channel.emitTo('A', 'done');
});
// B alone answers 'echo', so every consume is relayed A → primary → B → primary → A.
if (channel.code === 'B') channel.on('echo', (p) => p);

const waitFor = (event) => new Promise((resolve) => channel.once(event, resolve));

async function throughput(route, payload, count) {
  const done = waitFor(route === 'primary' ? 'pdone' : 'done');
  if (route === 'primary') channel.emit('pexpect', count);
  else channel.emitTo('B', 'expect', count);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const ok = route === 'primary' ? channel.emit('pm', i, payload) : channel.emitTo('B', 'm', i, payload);
    if (!ok) await waitFor('drain');
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round(count / seconds);
}

async function roundTrip(payload, count, warmup) {
  for (let i = 0; i < warmup; i++) await channel.consume('echo', payload);
  const samples = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await channel.consume('echo', payload);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return percentiles(samples);
}

channel.on('ready', async () => {
  if (channel.code !== 'A') return;
  for (const [name, payload] of Object.entries(PAYLOADS)) {
    const { messages, requests, warmup } = COUNTS[name];
    await throughput('worker', payload, Math.min(1000, messages)); // warm-up
    const workerToWorker = await throughput('worker', payload, messages);
    const workerToPrimary = await throughput('primary', payload, messages);
    const rtt = await roundTrip(payload, requests, warmup);
    console.log(`RESULT ${JSON.stringify({ payload: name, workerToWorker, workerToPrimary, rttP50: rtt.p50, rttP99: rtt.p99 })}`);
  }
  console.log('RESULT end');
});
ready();
