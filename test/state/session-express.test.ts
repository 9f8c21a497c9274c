import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { fixture, startHerd, waitGone, type RunningHerd } from '../helpers/herd.js';

interface Answer { status: number; cookie: string | undefined; body: { user?: string | null; pid: number; code: string } }

/** One request on a new connection (no keep-alive agent). */
function request(port: number, method: string, path: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: cookie ? { cookie } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, cookie: res.headers['set-cookie']?.[0]?.split(';')[0], body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function everyoneSees(port: number, cookie: string, what: string): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const r = await request(port, 'GET', '/me', cookie);
    assert.equal(r.body.user, 'ada', `${what}: request ${i} answered by ${r.body.code} (pid ${r.body.pid})`);
    pids.add(r.body.pid);
  }
  return pids;
}

async function workerPids(herd: RunningHerd): Promise<number[]> {
  const status = await herd.status();
  return status.workers.map((w) => w.pid);
}

test('express-session with SessionStore, 2 workers: logged in on every worker, after the login worker is SIGKILLed, after a reload', async (t) => {
  const herd = await startHerd(t, [fixture('session-express.js'), '-w', '2']);
  const port = await herd.port();
  const login = await request(port, 'POST', '/login?user=ada');
  assert.equal(login.status, 200);
  assert.ok(login.cookie, 'the login sets a session cookie');
  const cookie = login.cookie!;

  // Without the cookie nobody is logged in (so the check below can fail).
  assert.equal((await request(port, 'GET', '/me')).body.user, null);
  const pids = await everyoneSees(port, cookie, 'new connections');
  assert.equal(pids.size, 2, 'both workers answered');

  // The worker that served the login dies; its replacement (same code) must know the user too.
  const { pid, code } = login.body;
  process.kill(pid, 'SIGKILL');
  assert.deepEqual(await waitGone([pid]), []);
  const m = await herd.waitFor(new RegExp(`^${code} (?!${pid})(\\d+) \\| listening`, 'm'), 60_000);
  const served = await everyoneSees(port, cookie, 'after SIGKILL');
  assert.ok(served.has(Number(m[1])), 'the replacement answered');

  const before = await workerPids(herd);
  const reload = await herd.cli('reload');
  assert.equal(reload.code, 0, reload.stderr);
  const after = await workerPids(herd);
  assert.ok(after.every((pid) => !before.includes(pid)), 'every worker was replaced');
  const reloaded = await everyoneSees(port, cookie, 'after reload');
  assert.ok([...reloaded].every((p) => after.includes(p)));
});
