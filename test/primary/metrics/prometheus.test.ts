import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** A strict reader of the Prometheus text format: throws on any line it cannot read. */
function parse(text: string): { samples: Sample[]; help: Map<string, number>; type: Map<string, string> } {
  const samples: Sample[] = [];
  const help = new Map<string, number>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (m) { help.set(m[1]!, (help.get(m[1]!) ?? 0) + 1); continue; }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) { assert.ok(!type.has(m[1]!), `two # TYPE lines for ${m[1]}`); type.set(m[1]!, m[2]!); continue; }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not Prometheus text: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const value = Number(m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `bad value in ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, help, type };
}

test('GET /metrics: the app counter summed across workers, herd metrics labelled by worker; a scrape during a reload succeeds', async (t) => {
  const herd = await startHerd(t, [fixture('prom-counter.cjs'), '-w', '2', '--metrics', '0']);
  const port = await herd.port();
  const metricsPort = Number((await herd.waitFor(/herd: metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/))[1]);
  const N = 30;
  const pids = new Set<number>();
  for (let i = 0; i < N; i++) pids.add(JSON.parse((await get(port)).body).pid);
  assert.equal(pids.size, 2, 'both workers served');

  const res = await get(metricsPort, '/metrics');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  const { samples, help, type } = parse(res.body);
  for (const [name, count] of help) assert.equal(count, 1, `# HELP ${name} appears ${count} times`);
  const app = samples.filter((s) => s.name === 'app_requests_total');
  assert.deepEqual(app.map((s) => s.value), [N]);
  assert.equal(type.get('app_requests_total'), 'counter');
  for (const name of ['herd_worker_requests_total', 'herd_worker_restarts_total', 'herd_worker_rss_bytes', 'herd_worker_event_loop_delay_p99_seconds']) {
    const workers = samples.filter((s) => s.name === name).map((s) => s.labels.worker).sort();
    assert.deepEqual(workers, ['A', 'B'], `${name}: ${workers.join(',')}`);
  }
  assert.ok(samples.some((s) => s.name === 'herd_reloads_total'));
  assert.ok(type.has('herd_hung_workers_total'));
  assert.ok(samples.filter((s) => s.name === 'herd_worker_rss_bytes').every((s) => s.value > 0));

  // Scrapes while the workers are replaced one by one.
  const reload = herd.cli('reload');
  let scrapes = 0;
  let done = false;
  void reload.then(() => { done = true; });
  while (!done || scrapes < 3) {
    const r = await get(metricsPort, '/metrics');
    assert.equal(r.status, 200, r.body);
    parse(r.body);
    scrapes++;
  }
  assert.equal((await reload).code, 0);
  const after = parse((await get(metricsPort, '/metrics')).body).samples;
  assert.deepEqual(after.filter((s) => s.name === 'herd_reloads_total' && s.labels.result === 'ok').map((s) => s.value), [1]);

  assert.equal((await get(metricsPort, '/other')).status, 404);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
