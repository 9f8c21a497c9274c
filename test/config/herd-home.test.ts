import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, fixture, ROOT, runCli, startHerd, tempDir, type CliResult } from '../helpers/herd.js';
import { throwawayUser } from '../helpers/user.js';

const app = fixture('http-server.js');
const start = (home: string, name = 'h'): Promise<CliResult> => runCli(['start', app, '-w', '1', '--name', name], { home });
const mode = (path: string): number => statSync(path).mode & 0o7777;

test('a HERD_HOME that is a symbolic link is refused, and the folder it points to keeps its mode', async () => {
  // A stand-in for /tmp: shared, sticky, world-writable.
  const shared = join(tempDir(), 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const link = join(tempDir(), 'home-link');
  symlinkSync(shared, link);

  const r = await start(link);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /HERD_HOME \(or `home`\) .*home-link is a symbolic link .*\[ERR_HERD_HOME\]/);
  assert.equal(mode(shared), 0o1777, 'the folder behind the link was not chmodded');
  assert.ok(lstatSync(link).isSymbolicLink());

  // The same folder named directly: refused as writable by others, not made 0700.
  const direct = await start(shared);
  assert.equal(direct.code, 2, direct.stderr);
  assert.match(direct.stderr, /is writable by group or others \(mode 1777\).*\[ERR_HERD_HOME\]/);
  assert.equal(mode(shared), 0o1777);

  // A control command does not use it either.
  const status = await runCli(['status', '--name', 'h'], { home: link });
  assert.equal(status.code, 2, status.stderr);
  assert.match(status.stderr, /symbolic link.*\[ERR_HERD_HOME\]/);
});

test('a HERD_HOME that is a file, or under /proc, is refused with a code, fast', async () => {
  const file = join(tempDir(), 'not-a-folder');
  writeFileSync(file, 'x');
  const r = await start(file);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /not-a-folder is not a folder \[ERR_HERD_HOME\]/);

  const under = await start(join(file, 'home'));
  assert.equal(under.code, 2, under.stderr);
  assert.match(under.stderr, /a file is in the way.*\[ERR_HERD_HOME\]/);

  // A recursive mkdir under /proc never returns: refused before any is tried.
  const began = Date.now();
  const proc = await start('/proc/herd-home-test/x', 'p');
  assert.equal(proc.code, 2, proc.stderr);
  assert.match(proc.stderr, /`HERD_HOME` must be a path on a real filesystem.*it is under \/proc.*\[ERR_HERD_UNSAFE_PATH\]/);
  assert.ok(Date.now() - began < 2_000 + 3_000, `took ${Date.now() - began} ms`); // 2 s asked, +3 s for a busy machine's node startup
});

test('a HERD_HOME owned by another user is refused, even with a socket planted in it', async (t) => {
  const other = throwawayUser(t);
  if (!other) return;
  const home = join(tempDir(), 'theirs');
  mkdirSync(home);
  chmodSync(home, 0o700);
  chownSync(home, other.uid, other.gid);
  const r = await start(home);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`is owned by uid ${other.uid}, not by you \\(uid 0\\).*\\[ERR_HERD_HOME\\]`));

  // The finding: that user made the folder 0777 and put a fake herd socket in it.
  chmodSync(home, 0o777);
  const fake = net.createServer((socket) => {
    socket.end('{"id":1,"ok":true}\n');
  });
  const path = join(home, 'victim.sock');
  await new Promise<void>((resolve) => fake.listen(path, resolve));
  t.after(() => fake.close());
  chownSync(path, other.uid, other.gid);
  let contacted = 0;
  fake.on('connection', () => contacted++);
  const stop = await runCli(['stop', '--name', 'victim'], { home });
  assert.equal(stop.code, 2, stop.stdout + stop.stderr);
  assert.doesNotMatch(stop.stdout, /stopped/);
  assert.match(stop.stderr, /\[ERR_HERD_HOME\]/);
  assert.equal(contacted, 0, 'herd stop talked to the planted socket');
});

test('a HERD_HOME the user cannot create is refused with a code, not a raw EACCES', async (t) => {
  const other = throwawayUser(t);
  if (!other) return;
  const parent = tempDir();
  chmodSync(parent, 0o755); // root's, readable by the other user, not writable
  const home = join(parent, 'nope', 'home');
  const r = await new Promise<CliResult>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'start', app, '-w', '1', '--name', 'h'], {
      cwd: ROOT, uid: other.uid, gid: other.gid,
      env: { PATH: process.env.PATH, HOME: parent, HERD_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /nope\/home cannot be created: EACCES.*\[ERR_HERD_HOME\]/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('a control command creates no HERD_HOME; an existing safe one keeps its mode', async (t) => {
  const base = tempDir();
  const fresh = join(base, 'fresh');
  const r = await runCli(['status', '--name', 'h'], { home: fresh });
  assert.equal(r.code, 3, 'a missing home means nothing runs');
  assert.throws(() => statSync(fresh), { code: 'ENOENT' }, 'a control command creates nothing');

  const kept = join(base, 'kept');
  mkdirSync(kept);
  chmodSync(kept, 0o750);
  const herd = await startHerd(t, [app, '-w', '1', '--name', 'k'], { home: kept });
  assert.equal(mode(kept), 0o750, 'an existing folder is not chmodded');
  assert.equal((await herd.status()).workers.length, 1);
  await herd.cli('stop');
});
