import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';
import { get } from '../helpers/http.js';

// A runaway client of the same user must not grow the primary, starve it of
// file descriptors or make `herd status` wait.

const rss = (pid: number): number => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)![1]) * 1024;
const fds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** Sends `total` bytes without a newline, going on after the primary's FIN; resolves when the primary cuts it. */
function flood(path: string, total: number): Promise<{ sent: number; answer: string }> {
  return new Promise((resolve) => {
    // Half-open allowed: the primary's FIN does not end this side's writing.
    const socket = net.connect({ path, allowHalfOpen: true });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    let answer = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ sent, answer });
    };
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', finish);
    socket.on('close', finish);
    const pump = (): void => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (sent >= total) setTimeout(finish, 2_000);
    };
    socket.on('connect', pump);
  });
}

function controlRequest(path: string, line: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path, () => socket.write(`${line}\n`));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buffered += d;
      const nl = buffered.indexOf('\n');
      if (nl !== -1) {
        socket.destroy();
        resolve(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      }
    });
    socket.on('error', reject);
  });
}

test('a 20 MB line without a newline is cut at 64 KiB: the primary grows < 64 MB and status answers', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'flood']);
  const path = join(herd.home, 'flood.sock');
  await herd.status();
  const before = rss(herd.pid);
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, rss(herd.pid)); }, 20);
  const result = await flood(path, 20 * 1024 * 1024);
  clearInterval(sampler);
  peak = Math.max(peak, rss(herd.pid));
  const growth = peak - before;
  console.log(`primary RSS ${Math.round(before / 2 ** 20)} MiB -> peak ${Math.round(peak / 2 ** 20)} MiB (+${(growth / 2 ** 20).toFixed(1)} MiB); the client got ${Math.round(result.sent / 2 ** 10)} KiB out before it was cut`);
  assert.ok(growth < 64 * 1024 * 1024, `primary grew by ${growth} bytes`);
  // A client that stops writing reads the refusal (test/control/malformed-requests.test.ts); this
  // one keeps writing into a closed connection, so it sees EPIPE first, and may or may not read it.
  if (result.answer) assert.match(result.answer, /request longer than 65536 bytes.*"code":"ERR_HERD_BAD_REQUEST"/);
  assert.ok(result.sent < 20 * 1024 * 1024, 'the primary cut the connection before 20 MB were accepted');

  const status = await herd.cli('status', '--json');
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).workers.length, 1);
});

test('200 idle connections: HTTP unaffected, status answers, at most 64 kept, the rest closed when idle', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'idle']);
  const port = await herd.port();
  const path = join(herd.home, 'idle.sock');
  const baseline = fds(herd.pid);
  const idle: net.Socket[] = [];
  const closed = new Set<net.Socket>();
  for (let i = 0; i < 200; i++) {
    const socket = net.connect(path);
    socket.on('error', () => {});
    socket.on('close', () => closed.add(socket));
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', resolve);
    });
    idle.push(socket);
  }
  t.after(() => { for (const s of idle) s.destroy(); });

  const fdCount = fds(herd.pid);
  assert.ok(fdCount <= baseline + 64 + 4, `the primary holds ${fdCount} fds (was ${baseline})`);
  const replies = await Promise.all(Array.from({ length: 50 }, () => get(port, '/').then((r) => r.status, (e: Error) => e.message)));
  assert.deepEqual(replies.filter((s) => s !== 200), [], 'every new HTTP connection was served');

  const status = await herd.cli('status', '--json');
  assert.equal(status.code, 0, status.stderr);
  await new Promise((r) => setImmediate(r));
  assert.ok(idle.length - closed.size <= 64, `${idle.length - closed.size} idle connections still open`);

  // The idle timeout (10 s) closes the rest; the primary is left with its baseline.
  const deadline = Date.now() + 30_000;
  while (closed.size < idle.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(closed.size, idle.length, 'every idle connection was closed by the primary');
  assert.ok(fds(herd.pid) <= baseline + 2, `the primary still holds ${fds(herd.pid)} fds (was ${baseline})`);
});

test('error answers carry a code and a message, never a stack', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '--single', '--name', 'nostack']);
  const path = join(herd.home, 'nostack.sock');
  const answers = await Promise.all([
    controlRequest(path, 'not json'),
    controlRequest(path, '{"id":1,"cmd":"scale","count":2}'), // refused by --single: an error thrown inside the primary
    controlRequest(path, '{"id":2,"cmd":"reopen-logs"}'),
  ]);
  for (const answer of answers) {
    const error = answer.error as Record<string, unknown>;
    assert.equal(answer.ok, false);
    assert.equal(typeof error.code, 'string');
    assert.equal(error.stack, undefined, JSON.stringify(answer));
    assert.doesNotMatch(JSON.stringify(answer), /dist\/|\/src\/|\n\s+at /);
  }
  assert.equal((answers[1]!.error as { code: string }).code, 'ERR_HERD_UNSUPPORTED');
});
