import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, isAlive, startHerd, waitGone, type RunningHerd } from '../helpers/herd.js';
import { freePort, getJson, load } from '../helpers/http.js';
import { startRedis } from '../helpers/redis.js';

// Two herds, hosts h1 and h2, 2 workers each, one Redis: the fleet. One Redis
// and one pair of herds serve every subtest; h2 is SIGKILLed by the last one.

interface Fleet { host: string; redis: string; hosts: Array<{ host: string; workers: number; codes: string[] }> }
type Body = Record<string, any>;

async function until(what: string, check: () => Promise<boolean> | boolean, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  // Another host's state has no event to wait on from here: poll.
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function fleetOf(herd: RunningHerd): Promise<Fleet> {
  return ((await herd.status()) as unknown as { fleet: Fleet }).fleet;
}

test('two hosts on one Redis', { timeout: 300_000 }, async (t) => {
  const redis = await startRedis(t);
  const name = `fleet${process.pid}`;
  const ports = { h1: await freePort(), h2: await freePort() };
  const start = (host: 'h1' | 'h2', wait = true): Promise<RunningHerd> => startHerd(t, [fixture('fleet-app.js'), '-w', '2', '--name', name, '--host', host, '--redis', redis.url], { env: { FLEET_HOST: host, PORT: String(ports[host]) }, wait });
  const [h1, h2] = await Promise.all([start('h1'), start('h2')]);
  await until('each host to see the other', async () => (await fleetOf(h1)).hosts.length === 1 && (await fleetOf(h2)).hosts.length === 1);
  const at = (host: 'h1' | 'h2', path: string): Promise<Body> => getJson<Body>(ports[host], path);
  const both = (pattern: RegExp): number => h1.count(pattern) + h2.count(pattern);

  // A second herd claiming host h1 is refused (it waits a lease first, so it runs beside the other subtests).
  const duplicate = await startHerd(t, [fixture('fleet-app.js'), '-w', '1', '--name', name, '--host', 'h1', '--redis', redis.url], { env: { FLEET_HOST: 'h1', PORT: String(await freePort()) }, wait: false });

  await t.test('herd status lists the other host with its workers', async () => {
    const fleet = await fleetOf(h1);
    assert.equal(fleet.host, 'h1');
    assert.equal(fleet.redis, 'connected');
    assert.deepEqual(fleet.hosts.map((h) => [h.host, h.workers, h.codes]), [['h2', 2, ['A', 'B']]]);
    const table = await h1.cli('status');
    assert.match(table.stdout, /fleet: this host h1 {2}redis connected {2}other hosts 1/);
    assert.match(table.stdout, /^h2 +\d+ +2 +A,B +\d+\.\ds ago$/m);
  });

  await t.test("broadcast from a worker of h1 reaches all 4 workers once; emitTo('h2/B') only h2's B; map: 4 entries with hosts", async () => {
    const sender = (await at('h1', '/broadcast?id=b1')).at as string;
    await until('4 deliveries', () => both(/hello b1 at /g) === 4, 30_000);
    for (const w of ['h1/A', 'h1/B', 'h2/A', 'h2/B']) assert.equal(both(new RegExp(`hello b1 at ${w} from ${sender}$`, 'gm')), 1, w);

    await at('h1', '/emit-to?target=h2/B&id=e1');
    await until('the emitTo', () => h2.count(/hello e1 at h2\/B from h1\/[AB]$/gm) === 1, 30_000);
    // A later broadcast from h1 arrives after anything else h1 sent: nobody else got e1.
    await at('h1', '/broadcast?id=b2');
    await until('4 deliveries of b2', () => both(/hello b2 at /g) === 4, 30_000);
    assert.equal(both(/hello e1 /g), 1);

    const { entries } = await at('h1', '/map');
    assert.deepEqual(entries, [
      { host: 'h1', code: 'A', at: 'h1/A' }, { host: 'h1', code: 'B', at: 'h1/B' },
      { host: 'h2', code: 'A', at: 'h2/A' }, { host: 'h2', code: 'B', at: 'h2/B' },
    ]);
  });

  await t.test('emitTo bad targets: a host nobody runs is reported; a malformed one throws', async () => {
    await at('h1', '/emit-to?target=nohost/A&id=x');
    await h1.waitFor(/emitTo\("nohost\/A", "hello"\): no worker has that code/);
    assert.equal((await at('h1', '/emit-to?target=h2/&id=x')).error, 'ERR_HERD_INVALID_ARGUMENT');
  });

  await t.test('1,000 consume calls from h1: each handled exactly once, every result correct, both hosts ran some', async () => {
    const r = await at('h1', '/consume?n=1000&tag=k1');
    assert.deepEqual([r.n, r.wrong, r.failed], [1000, 0, 0], JSON.stringify(r));
    assert.ok(r.hosts.h1 > 0 && r.hosts.h2 > 0, `ran on ${JSON.stringify(r.hosts)}`);
    const runs = await at('h2', '/runs?tag=k1');
    assert.deepEqual([runs.distinct, runs.twice, runs.total], [1000, 0, 1000]);
  });

  await t.test('store.incr from both hosts at once is exact; a lock counter from both hosts is exact', async () => {
    await Promise.all([at('h1', '/incr?n=1000&key=n'), at('h2', '/incr?n=1000&key=n')]);
    assert.equal((await at('h2', '/get?key=n')).value, 2000);
    await Promise.all([at('h1', '/locked?n=100&key=c'), at('h2', '/locked?n=100&key=c')]);
    assert.equal((await at('h1', '/get?key=c')).value, 200);
  });

  await t.test('express-session with SessionStore: logged in on h1, logged in on h2', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.h1}/login?user=ada`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    await res.arrayBuffer();
    const me = async (host: 'h1' | 'h2', headers: Record<string, string>): Promise<Body> => (await fetch(`http://127.0.0.1:${ports[host]}/me`, { headers })).json() as Promise<Body>;
    assert.equal((await me('h2', {})).user, null);
    for (let i = 0; i < 4; i++) assert.equal((await me('h2', { cookie })).user, 'ada');
  });

  await t.test('the duplicate host h1 was refused with ERR_HERD_HOST_TAKEN', async () => {
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([duplicate.exited, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the duplicate still runs:\n${duplicate.output}`)), 60_000);
    })]).finally(() => clearTimeout(timer));
    assert.equal(exit.code, 1, duplicate.output);
    assert.match(duplicate.output, /another running herd of this name uses host "h1" on this Redis.*\[ERR_HERD_HOST_TAKEN\]/);
  });

  await t.test('Redis stopped for 3 s under traffic: HTTP keeps serving, store calls fail with the code, broadcasts flow again after', async () => {
    const loads = [load(ports.h1, 4, '/plain'), load(ports.h2, 4, '/plain')];
    t.after(() => Promise.all(loads.map((l) => l.stop())));
    await new Promise((r) => setTimeout(r, 300));
    await redis.stop();
    const stoppedAt = Date.now();
    const during = await at('h1', '/get?key=n');
    assert.equal(during.error, 'ERR_HERD_REDIS_UNAVAILABLE');
    await at('h1', '/broadcast?id=held');
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - stoppedAt))));
    await redis.start();
    // Buffered while Redis was away, sent once h2 answers again.
    await until('the held broadcast on h2', () => h2.count(/hello held at h2\//g) === 2, 30_000);
    for (let i = 0; h2.count(/hello back at h2\//g) === 0; i++) {
      assert.ok(i < 60, 'broadcasts reach h2 again');
      await at('h1', `/broadcast?id=back`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const stats = await Promise.all(loads.map((l) => l.stop()));
    for (const s of stats) {
      assert.equal(s.failed, 0, s.errors.join('\n'));
      assert.ok(s.ok > 0);
    }
    // Logged once for the outage, not once per message.
    assert.equal(h1.count(/is unreachable/g), 1);
    assert.equal(h1.count(/is back after/g), 1);
  });

  await t.test('h2 SIGKILLed with consumes in flight and a lock held: every call settles correctly; h1 gets the lock within the lease; h2 leaves map routing', async () => {
    await until('h2 seen by h1 after the outage', async () => (await fleetOf(h1)).hosts.length === 1);
    const pids = [h2.pid, ...(await h2.status()).workers.map((w) => w.pid)];
    assert.equal((await at('h2', '/hold-lock?name=L')).held, true);
    const consumed = at('h1', '/consume?n=200&tag=k2&slow=2000');
    await h2.waitFor(/job running at h2/);
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    assert.deepEqual(await waitGone(pids), []);
    const killedAt = Date.now();
    const took = await at('h1', '/take-lock?name=L&wait=30000');
    assert.equal(took.error, undefined);
    // The lease is 5 s, renewed every 1.6 s: a generous bound on a busy machine.
    assert.ok(Date.now() - killedAt < 9000, `granted ${Date.now() - killedAt} ms after the kill`);
    const r = await consumed;
    assert.deepEqual([r.n, r.wrong, r.failed], [200, 0, 0], JSON.stringify(r));
    const runs = await at('h1', '/runs?tag=k2');
    assert.equal(runs.distinct, 200);
    t.diagnostic(`handlers run twice after the kill: ${runs.twice} of 200 (ran on ${JSON.stringify(r.hosts)})`);
    // No heartbeat from h2 for 5 s: gone from routing.
    await until('h2 dropped from the fleet', async () => (await fleetOf(h1)).hosts.length === 0);
    assert.deepEqual((await at('h1', '/map')).entries.map((e: Body) => `${e.host}/${e.code}`), ['h1/A', 'h1/B']);
  });
});
