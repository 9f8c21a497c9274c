import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd } from '../../helpers/herd.js';

// The dashboard's HTTP API without a browser: reading, the token on every
// action (401 and nothing changes without it), bad bodies, the Host check.

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function call(url: string, method: string, options: { token?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

test('the dashboard API', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--dashboard', '0']);
  const base = (await herd.waitFor(/dashboard on (http:\S+)\//))[1]!;
  const tokenPath = join(herd.home, `${herd.name}.token`);
  const token = readFileSync(tokenPath, 'utf8').trim();
  const api = (path: string): string => `${base}${path}`;

  await t.test('the token: printed by herd start, in $HERD_HOME/<name>.token, mode 0600, never in /api/status', async () => {
    assert.ok(token.length >= 32);
    assert.ok(herd.output.includes(`dashboard actions need token ${token}`));
    assert.equal(statSync(tokenPath).mode & 0o777, 0o600);
    const status = await call(api('/api/status'), 'GET');
    assert.ok(!status.body.includes(token));
  });

  await t.test('GET /api/status: herd status --json with requests per second', async () => {
    const r = await call(api('/api/status'), 'GET');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type']!, /application\/json/);
    const status = JSON.parse(r.body) as { name: string; generation: number; dashboard: string; workers: Array<{ code: string; pid: number; requestsPerSecond: unknown }> };
    assert.equal(status.name, herd.name);
    assert.equal(status.dashboard, `${base}/`);
    assert.deepEqual(status.workers.map((w) => w.code), ['A']);
    assert.ok('requestsPerSecond' in status.workers[0]!);
  });

  await t.test('GET /api/events: an event stream that starts with a snapshot', async () => {
    const ac = new AbortController();
    const res = await fetch(api('/api/events'), { signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: snapshot\ndata: ')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    await reader.cancel().catch(() => {});
    assert.match(text, /^retry: \d+/);
  });

  await t.test('every action without the right token answers 401 and changes nothing', async () => {
    const before = await herd.status();
    const attempts: Array<[string, string, { token?: string; body?: string; headers?: Record<string, string> }]> = [
      ['/api/reload', 'POST', {}],
      ['/api/reload', 'POST', { token: 'wrong-token-wrong-token-wrong' }],
      ['/api/reload', 'POST', { token: `${token}x` }],
      ['/api/reload', 'POST', { headers: { authorization: token } }],
      ['/api/reload', 'POST', { headers: { cookie: `token=${token}` } }],
      [`/api/reload?token=${token}`, 'POST', {}],
      ['/api/scale', 'POST', { body: '{"count":2}' }],
      ['/api/replace', 'POST', { body: '{"code":"A"}', token: '' }],
    ];
    for (const [path, method, options] of attempts) {
      const r = await call(api(path), method, options);
      assert.equal(r.status, 401, `${method} ${path} ${JSON.stringify(options)}`);
      assert.equal(r.headers['www-authenticate'], 'Bearer realm="herd"');
    }
    const after = await herd.status();
    assert.equal(after.generation, before.generation);
    assert.deepEqual(after.workers.map((w) => w.pid), before.workers.map((w) => w.pid));
  });

  await t.test('bad bodies answer 400 with a code and change nothing', async () => {
    const before = await herd.status();
    const bad: Array<[string, string, RegExp]> = [
      ['/api/scale', '{"count":0}', /`count` must be an integer from 1 to 1024, received 0/],
      ['/api/scale', '{"count":"2"}', /`count` must be an integer .*received "2"/],
      ['/api/scale', '{"count":1.5}', /received 1.5/],
      ['/api/scale', '{"count":5000}', /received 5000/],
      ['/api/scale', '{}', /received nothing/],
      ['/api/scale', 'not json', /the body is not JSON/],
      ['/api/scale', '[2]', /the body must be a JSON object/],
      ['/api/scale', `{"count":2,"pad":"${'x'.repeat(5000)}"}`, /the body is longer than 4096 bytes/],
      ['/api/replace', '{"code":"a"}', /`code` must be a worker code such as "A", received "a"/],
      ['/api/replace', '{"code":7}', /received 7/],
    ];
    for (const [path, body, message] of bad) {
      const r = await call(api(path), 'POST', { token, body });
      assert.equal(r.status, 400, `${path} ${body.slice(0, 40)}: ${r.body}`);
      const { error } = JSON.parse(r.body) as { error: { code: string; message: string } };
      assert.equal(error.code, 'ERR_HERD_BAD_REQUEST');
      assert.match(error.message, message);
    }
    const unknown = await call(api('/api/replace'), 'POST', { token, body: '{"code":"Z"}' });
    assert.equal(unknown.status, 404);
    assert.match(JSON.parse(unknown.body).error.code, /ERR_HERD_UNKNOWN_TARGET/);
    const after = await herd.status();
    assert.equal(after.generation, before.generation);
    assert.deepEqual(after.workers.map((w) => w.pid), before.workers.map((w) => w.pid));
  });

  await t.test('wrong methods, unknown paths, a foreign Host header', async () => {
    assert.equal((await call(api('/api/reload'), 'GET')).status, 405);
    assert.equal((await call(api('/api/status'), 'POST', { token })).status, 405);
    assert.equal((await call(api('/api/nothing'), 'GET')).status, 404);
    // A page that rebinds its own DNS name to 127.0.0.1 must not read the herd.
    const foreign = await call(api('/api/status'), 'GET', { headers: { host: 'evil.example:80' } });
    assert.equal(foreign.status, 403);
    assert.equal((await call(api('/api/status'), 'GET', { headers: { host: `localhost:${new URL(base).port}` } })).status, 200);
    const page = await call(`${base}/`, 'GET');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
    assert.match(page.body, /<table id="workers">/);
    const script = await call(`${base}/assets/app.js`, 'GET');
    assert.equal(script.status, 200);
    assert.match(script.headers['content-type']!, /javascript/);
  });

  await t.test('with the token: scale answers when done; the token file goes with the herd', async () => {
    const r = await call(api('/api/scale'), 'POST', { token, body: '{"count":2}' });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { workers: 2 });
    assert.equal((await herd.status()).workers.filter((w) => w.state === 'ready').length, 2);
    assert.equal((await herd.cli('stop')).code, 0);
    await herd.exited;
    assert.equal(existsSync(tokenPath), false);
  });
});

test('with --single: the token is printed but kept out of the log, and replace is unsupported', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '--single', '--dashboard', '0']);
  const base = (await herd.waitFor(/dashboard on (http:\S+)\//))[1]!;
  const token = readFileSync(join(herd.home, `${herd.name}.token`), 'utf8').trim();
  await herd.waitFor(new RegExp(`^herd: dashboard actions need token ${token} `, 'm'));
  // The app's stdout is the log in --single; herd's own terminal line must not become one of its lines.
  const logs = await herd.cli('logs', '-n', '1000');
  assert.equal(logs.code, 0);
  assert.match(logs.stdout, /dashboard on/);
  assert.ok(!logs.stdout.includes(token), logs.stdout);
  const r = await call(`${base}/api/replace`, 'POST', { token, body: '{"code":"A"}' });
  assert.equal(r.status, 409);
  assert.equal(JSON.parse(r.body).error.code, 'ERR_HERD_UNSUPPORTED');
});
