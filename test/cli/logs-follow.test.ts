import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CLI, fixture, startHerd } from '../helpers/herd.js';
import { get } from '../helpers/http.js';

test('herd logs -f prints the last lines, then follows new ones until interrupted', async (t) => {
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1']);
  const port = await herd.port();
  await get(port, '/print?tag=old&n=3');
  await herd.waitFor(/old 3 /);

  const follower = spawn(process.execPath, [CLI, 'logs', '-f', '-n', '2', '--name', herd.name], {
    env: { ...process.env, HERD_HOME: herd.home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => { if (follower.exitCode === null) follower.kill('SIGKILL'); });
  let out = '';
  const waiters: Array<() => void> = [];
  follower.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; waiters.splice(0).forEach((w) => w()); });
  const exited = new Promise<number | null>((resolve) => follower.once('close', (code) => resolve(code)));
  const until = async (re: RegExp): Promise<void> => {
    while (!re.test(out)) await new Promise<void>((resolve) => waiters.push(resolve));
  };

  await until(/old 3 /);
  assert.deepEqual(out.split('\n').filter(Boolean).map((l) => l.split(' ')[3]), ['old', 'old']);
  await get(port, '/print?tag=new&n=2');
  await get(port, '/stderr?text=followed%20stderr');
  await until(/followed stderr/);
  const lines = out.split('\n').filter(Boolean);
  assert.deepEqual(lines.map((l) => l.replace(/^A \d+ [|!] /, '').split(' ').slice(0, 2).join(' ')), ['old 2', 'old 3', 'new 1', 'new 2', 'followed stderr']);
  assert.match(lines[4]!, /^A \d+ ! followed stderr$/);

  follower.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('herd logs -f ends with exit 0 when the herd stops', async (t) => {
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1']);
  const follower = spawn(process.execPath, [CLI, 'logs', '-f', '-n', '1', '--name', herd.name], {
    env: { ...process.env, HERD_HOME: herd.home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => { if (follower.exitCode === null) follower.kill('SIGKILL'); });
  let out = '';
  const first = new Promise<void>((resolve) => follower.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; resolve(); }));
  const exited = new Promise<number | null>((resolve) => follower.once('close', (code) => resolve(code)));
  await first;
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.equal(await exited, 0);
  assert.ok(out.length > 0);
});
