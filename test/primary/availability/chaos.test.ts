import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { fixture, isAlive, startHerd } from '../../helpers/herd.js';
import { freePort } from '../../helpers/http.js';

// The chaos loop of the availability issue, shortened: 2 workers under 32
// keep-alive connections, a worker that serves SIGKILLed every second for 15 s.
// Raw node:cluster loses only the requests on the killed workers' own
// connections; herd must do no worse: no refused connection, every failure
// on a connection a killed worker held, both workers back, herd still up.

const SECONDS = 15;
const CONNECTIONS = 32;

test('random SIGKILLs under keep-alive load: only the killed workers\' own connections fail', async (t) => {
  // A fixed port: were both workers ever down at once, node:cluster would reopen it.
  const port = await freePort();
  const herd = await startHerd(t, [fixture('log-connections.js'), '-w', '2'], { env: { PORT: String(port) } });

  // Which worker accepted each client port: from the app's "conn <port>" lines.
  const holder = (localPort: number): number | undefined => {
    const m = herd.output.match(new RegExp(`^[A-Z]+ (\\d+) \\| conn ${localPort}$`, 'm'));
    return m ? Number(m[1]) : undefined;
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  t.after(() => agent.destroy());
  const recent = new Map<number, number>(); // pid → last time it answered
  // `at`: when the request began, for the failure report.
  const failures: Array<{ error: string; localPort: number | undefined; at: string }> = [];
  let ok = 0;
  let running = true;

  const one = (): Promise<void> => new Promise((resolve) => {
    const at = new Date().toISOString();
    let localPort: number | undefined;
    // A request must not wait forever (a connection no worker ever takes): that is a failure too.
    // While both workers boot, herd's accept path holds new connections up to
    // readyTimeout (30 s), by design: on a loaded machine that wait is long, not lost.
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: 35_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          recent.set((JSON.parse(body) as { pid: number }).pid, Date.now());
          ok++;
        } catch {
          failures.push({ error: `bad body ${res.statusCode} ${body.slice(0, 80)}`, localPort, at });
        }
        resolve();
      });
      res.on('error', (error) => {
        failures.push({ error: (error as NodeJS.ErrnoException).code ?? error.message, localPort, at });
        resolve();
      });
    });
    req.on('socket', (socket) => {
      const note = (): void => { localPort = socket.localPort; };
      if (socket.localPort) note();
      else socket.once('connect', note);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 35 s'), { code: 'TIMEOUT' })));
    req.on('error', (error) => {
      failures.push({ error: (error as NodeJS.ErrnoException).code ?? error.message, localPort, at });
      resolve();
    });
  });
  const loops = Array.from({ length: CONNECTIONS }, async () => {
    while (running) await one();
  });

  const killed = new Set<number>();
  // One kill a second until SECONDS kills; on a loaded machine a replacement may
  // not serve yet when the next kill is due, so the loop may run up to 3 × longer.
  const until = Date.now() + SECONDS * 3000;
  while (killed.size < SECONDS && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1000));
    // A worker that answered in the last second: it is serving.
    const serving = [...recent].filter(([pid, at]) => Date.now() - at < 1000 && !killed.has(pid) && isAlive(pid)).map(([pid]) => pid);
    const victim = serving[Math.floor(Math.random() * serving.length)];
    if (victim === undefined) continue;
    killed.add(victim);
    process.kill(victim, 'SIGKILL');
  }
  running = false;
  await Promise.all(loops);

  const refused = failures.filter((f) => f.error === 'ECONNREFUSED');
  const unattributed = failures.filter((f) => f.localPort === undefined || !killed.has(holder(f.localPort) ?? -1));
  console.log(`chaos: ${killed.size} kills, ${ok} ok, ${failures.length} failed (${refused.length} refused)`);
  assert.equal(refused.length, 0, 'connections were refused');
  const explain = unattributed.slice(0, 5).map((f) => ({
    ...f,
    lines: f.localPort === undefined ? [] : herd.output.split('\n').filter((l) => l.endsWith(` conn ${f.localPort}`)),
  }));
  assert.deepEqual(explain, [], `${unattributed.length} requests failed on connections no killed worker held (killed: ${[...killed]})`);
  assert.ok(killed.size >= SECONDS / 3, `only ${killed.size} kills happened`);
  // The load ran all along (a loaded machine serves a few hundred a second at least).
  assert.ok(ok > 20 * killed.size, `only ${ok} requests succeeded`);

  // Both workers are back and herd is still running.
  const deadline = Date.now() + 30_000;
  let status = await herd.status();
  while (!(status.workers.length === 2 && status.workers.every((w) => w.state === 'ready')) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    status = await herd.status();
  }
  assert.deepEqual(status.workers.map((w) => [w.code, w.state]), [['A', 'ready'], ['B', 'ready']]);
  assert.equal(status.workers.reduce((n, w) => n + w.restarts, 0), killed.size, 'every kill counted as a restart');
  assert.ok(isAlive(herd.pid), 'herd stopped itself');
  assert.doesNotMatch(herd.output, /crash loop/);

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
