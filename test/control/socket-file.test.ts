import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, isAlive, runCli, tempDir } from '../helpers/herd.js';

// What herd finds at `<name>.sock`: only a socket a dead primary left is
// removed; anything else is reported for what it is.

const app = fixture('http-server.js');

test('a regular file or a folder at the socket path is kept and named, not deleted or taken for a herd', async () => {
  const home = tempDir();
  writeFileSync(join(home, 'f.sock'), 'precious');
  const file = await runCli(['start', app, '-w', '1', '--name', 'f'], { home });
  assert.equal(file.code, 1, file.stderr);
  assert.match(file.stderr, /f\.sock is a regular file, not a control socket; herd removes only a socket left by a dead primary.*\[ERR_HERD_CONTROL\]/);
  assert.equal(readFileSync(join(home, 'f.sock'), 'utf8'), 'precious');

  mkdirSync(join(home, 'd.sock'));
  const dir = await runCli(['start', app, '-w', '1', '--name', 'd'], { home });
  assert.equal(dir.code, 1, dir.stderr);
  assert.match(dir.stderr, /d\.sock is a folder, not a control socket.*\[ERR_HERD_CONTROL\]/);
  assert.doesNotMatch(dir.stderr, /already running/);
  assert.ok(statSync(join(home, 'd.sock')).isDirectory());

  const status = await runCli(['status', '--name', 'f'], { home });
  assert.equal(status.code, 1, status.stderr);
  assert.match(status.stderr, /f\.sock is not a socket, so not a herd's control socket.*\[ERR_HERD_CONTROL\]/);
});

test('a socket nobody answers on is reported as left by a primary that is gone', async (t) => {
  const home = tempDir();
  const path = join(home, 'gone.sock');
  // A process that listens, then dies by SIGKILL: its socket file stays.
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (isAlive(child.pid!)) child.kill('SIGKILL'); });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('close', resolve));
  assert.ok(statSync(path).isSocket());

  const r = await runCli(['status', '--name', 'gone'], { home });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /no running herd named "gone": nothing answers on .*gone\.sock, a socket left by a primary that is gone.*\[ERR_HERD_NOT_RUNNING\]/);
});

test('a program that is not herd on the socket is reported as such, without a raw SyntaxError', async (t) => {
  const home = tempDir();
  const answers = ['HTTP/1.1 400 Bad Request\r\n\r\n', '{"hello":"world"}\n', 'x'.repeat(100)];
  for (const [i, answer] of answers.entries()) {
    const path = join(home, `other${i}.sock`);
    const server = net.createServer((socket) => socket.end(answer));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    t.after(() => server.close());
    const r = await runCli(['status', '--name', `other${i}`], { home });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`the program answering on .*other${i}\\.sock is not a herd \\(it answered .*\\) \\[ERR_HERD_CONTROL\\]`));
    assert.doesNotMatch(r.stderr, /SyntaxError|\n\s+at /);
  }
});
