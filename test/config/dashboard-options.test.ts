import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLoopback } from '../../src/config/dashboard.js';
import { reconfigure } from '../../src/config/reloadable.js';
import { resolveOptions } from '../../src/config/resolve.js';
import type { HerdError } from '../../src/errors.js';
import { fixture, runCli, tempDir } from '../helpers/herd.js';

const app = fixture('http-server.js');
const SECRET = 'a-secret-token-of-some-length';

test('dashboard resolves: a port, or { port, host, token }; off by default', () => {
  assert.equal(resolveOptions({ script: app }).dashboard, undefined);
  assert.deepEqual(resolveOptions({ script: app, dashboard: 0 }).dashboard, { port: 0, host: '127.0.0.1', token: undefined });
  assert.deepEqual(resolveOptions({ script: app, dashboard: { port: 8080, host: '::1' } }).dashboard, { port: 8080, host: '::1', token: undefined });
  assert.deepEqual(resolveOptions({ script: app, dashboard: { port: 8080, host: '0.0.0.0', token: SECRET } }).dashboard, { port: 8080, host: '0.0.0.0', token: SECRET });
});

test('loopback hosts: 127.0.0.0/8, ::1, localhost', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) assert.equal(isLoopback(host), true, host);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '127.0.0.1.example.com']) assert.equal(isLoopback(host), false, host);
});

const bad: Array<[unknown, RegExp]> = [
  [-1, /`dashboard` must be a port number from 0 to 65535 .*received -1/],
  [70000, /`dashboard` must be a port number .*received 70000/],
  [1.5, /`dashboard` must be a port number .*received 1.5/],
  ['8080', /`dashboard` must be a port number or \{ port, host, token \}, received "8080"/],
  [true, /`dashboard` must be a port number or \{ port, host, token \}, received true/],
  [{ host: '127.0.0.1' }, /`dashboard.port` must be a port number .*received undefined/],
  [{ port: 'x' }, /`dashboard.port` must be a port number .*received "x"/],
  [{ port: 0, host: '' }, /`dashboard.host` must be a non-empty string, received ""/],
  [{ port: 0, host: '0.0.0.0' }, /`dashboard.token` must be set when `dashboard.host` is not a loopback address \(received host "0.0.0.0"\)/],
  [{ port: 0, token: 'short' }, /`dashboard.token` must be a string of at least 16 printable ASCII characters without spaces, received 5 characters/],
  [{ port: 0, token: 'has a space in it, quite long' }, /`dashboard.token` must be .*received a space or a character outside printable ASCII/],
  [{ port: 0, token: 1234567 }, /`dashboard.token` must be .*received 1234567/],
  [{ port: 0, path: '/' }, /unknown option `dashboard.path`/],
];

for (const [value, message] of bad) {
  test(`dashboard ${JSON.stringify(value)} is refused`, () => {
    assert.throws(() => resolveOptions({ script: app, dashboard: value }), (error: HerdError) => {
      assert.match(error.message, message);
      assert.match(error.code, /ERR_HERD_(INVALID|UNKNOWN)_OPTION/);
      return true;
    });
  });
}

test('a refused token is never echoed', () => {
  const almost = 'x y secret-ish value';
  assert.throws(() => resolveOptions({ script: app, dashboard: { port: 0, token: almost } }), (error: Error) => !error.message.includes(almost));
});

test('a reload names a changed dashboard as needing a restart, without its token', () => {
  const current = resolveOptions({ script: app, dashboard: { port: 0, token: SECRET } });
  const next = resolveOptions({ script: app, dashboard: { port: 0, token: `${SECRET}-2` } });
  const { options, needsRestart } = reconfigure(current, next);
  assert.deepEqual(options.dashboard, current.dashboard);
  assert.equal(needsRestart.length, 1);
  assert.match(needsRestart[0]!, /^dashboard \(/);
  assert.ok(!needsRestart[0]!.includes(SECRET), needsRestart[0]);
});

test('herd start: a bad --dashboard, or a bad dashboard in the config file, exits 2', async () => {
  const home = tempDir();
  const flag = await runCli(['start', app, '--dashboard', 'abc'], { home });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /`--dashboard` must be a port number from 0 to 65535 .*received "abc".*\[ERR_HERD_INVALID_OPTION\]/);

  const dir = tempDir();
  writeFileSync(join(dir, 'herd.config.json'), JSON.stringify({ script: app, dashboard: { port: 0, host: '0.0.0.0' } }));
  // The flag sets the port; the file's host stays, and still needs a token.
  const file = await runCli(['start', '--dashboard', '0'], { home, cwd: dir });
  assert.equal(file.code, 2);
  assert.match(file.stderr, /`dashboard.token` must be set when `dashboard.host` is not a loopback address.*\[ERR_HERD_INVALID_OPTION\]/);
});

test('herd start: a dashboard port in use exits 1 with ERR_HERD_DASHBOARD, before any worker starts', async (t) => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;
  const r = await runCli(['start', app, '-w', '1', '--dashboard', String(port)], { home: tempDir() });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`cannot serve the dashboard on 127.0.0.1:${port}: .*EADDRINUSE.*\\[ERR_HERD_DASHBOARD\\]`));
  assert.doesNotMatch(r.stdout, /listening on/);
});
