// The workers of the shared-state benchmark. Each phase (asked by the primary
// module through channel.map, so both workers run it at once) keeps
// `concurrency` operations in flight for `duration` ms and answers with its
// operation count and a sample of latencies (µs). Redis is used through
// node-redis from the same workers, as an app would use it.
import { createClient } from 'redis';
import { channel, lock, ready, store } from 'herd';

const redis = createClient({ url: process.env.REDIS_URL });
redis.on('error', (error) => console.error(`redis: ${error.message}`));
await redis.connect();

const SMALL = { id: 42, name: 'small value', ok: true };
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
const tag = `${process.pid}`;
let seq = 0;

const ops = {
  'herd get': () => store.get('bench:small'),
  'herd set': () => store.set('bench:small', SMALL),
  'herd incr': () => store.incr('bench:n'),
  'redis get': async () => JSON.parse(await redis.get('bench:small')),
  'redis set': () => redis.set('bench:small', JSON.stringify(SMALL)),
  'redis incr': () => redis.incr('bench:n'),
  'herd lock': () => lock('bench:lock', () => {}, { wait: 60_000 }),
  // The usual single-instance Redis lock: SET NX PX, retry after 1 ms, compare-and-delete release.
  'redis lock': async () => {
    const token = `${tag}:${seq++}`;
    while ((await redis.set('bench:lock', token, { condition: 'NX', expiration: { type: 'PX', value: 10_000 } })) === null) {
      await new Promise((r) => setTimeout(r, 1));
    }
    await redis.eval(RELEASE, { keys: ['bench:lock'], arguments: [token] });
  },
};

async function phase(name, duration, concurrency) {
  const op = ops[name];
  const samples = [];
  let count = 0;
  const end = Date.now() + duration;
  const loop = async () => {
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      await op();
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      // Every operation is counted; a bounded sample of them is timed into the percentiles.
      if (samples.length < 50_000) samples.push(us);
      count++;
    }
  };
  const started = Date.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const used = process.cpuUsage(cpu);
  return { count, seconds: (Date.now() - started) / 1000, samples, cpu: used.user + used.system };
}

await store.set('bench:small', SMALL);
await redis.set('bench:small', JSON.stringify(SMALL));
channel.on('phase', (name, duration, concurrency) => phase(name, duration, concurrency));
ready();
// Every worker is up: A tells the primary module to start.
channel.on('ready', () => {
  if (channel.code === 'A') channel.emit('go');
});
