import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, runCli, tempDir } from '../helpers/herd.js';

const app = fixture('http-server.js');

// Each bad flag: exit 2, a message naming the flag, the value and what was expected.
const flags: Array<[string[], RegExp]> = [
  [['-w', 'many'], /`--workers` must be 'auto' or an integer .*received "many"/],
  [['-w', '2.5'], /`--workers` must be 'auto' or an integer .*received "2.5"/],
  [['--workers', '5000'], /`workers` must be 'auto' or an integer from -1024 to 1024.*received 5000/],
  [['--shutdown-timeout', '-1'], /`--shutdown-timeout` must be a non-negative integer \(ms\), received "-1"/],
  [['--shutdown-timeout', 'soon'], /`--shutdown-timeout` must be a non-negative integer \(ms\), received "soon"/],
  [['--name', 'a/b'], /`name` must be letters, digits.*received "a\/b"/],
  [['--name', ''], /`name` must be a non-empty string, received ""/],
  [['--config', 'nope.config.js'], /`--config` must name an existing file, received "nope.config.js"/],
  [['--frobnicate'], /unknown option '--frobnicate'/],
  [['--node-args', 'app.js'], /`nodeArgs` must be node flags, starting with '-' \(app arguments go in `args`\), received "app.js"/],
  [['--node-args'], /option '--node-args <flags>' argument missing/],
  [['--balancer', 'fastest'], /`balancer` must be one of 'round-robin', 'os', 'least-connections', 'sticky', received "fastest"/],
];

for (const [args, message] of flags) {
  test(`herd start ${args.join(' ')}: exit 2 with a message`, async () => {
    const r = await runCli(['start', app, ...args], { home: tempDir() });
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stdout, /ready/);
  });
}

// Each bad config key: exit 2, naming the key, the value and what was expected.
const configs: Array<[Record<string, unknown>, RegExp]> = [
  [{ wrokers: 2 }, /unknown option `wrokers` \(value 2\); expected one of: script, args/],
  [{ workers: 'lots' }, /`workers` must be 'auto' or an integer.*received "lots"/],
  [{ workers: 1.5 }, /`workers` must be 'auto' or an integer.*received 1.5/],
  [{ shutdownTimeout: -5 }, /`shutdownTimeout` must be a non-negative integer \(ms\), received -5/],
  [{ shutdownTimeout: '10s' }, /`shutdownTimeout` must be a non-negative integer \(ms\), received "10s"/],
  [{ readyTimeout: 0 }, /`readyTimeout` must be an integer >= 1 \(ms\), received 0/],
  [{ readyTimeout: 1e12 }, /`readyTimeout` must be at most 2147483647 \(ms\), received 1000000000000/],
  [{ args: 'one two' }, /`args` must be an array of strings, received "one two"/],
  [{ args: [1, 2] }, /`args` must be an array of strings, received an array/],
  [{ env: { PORT: 3000 } }, /`env.PORT` must be a string, received 3000/],
  [{ env: 'PORT=3000' }, /`env` must be an object of strings, received "PORT=3000"/],
  [{ name: 42 }, /`name` must be a non-empty string, received 42/],
  [{ restart: 5 }, /`restart` must be an object, received 5/],
  [{ restart: { retries: 3 } }, /unknown option `restart.retries` \(value 3\); expected one of: minDelay, maxDelay, maxRestarts, window, minUptime/],
  [{ restart: { minUptime: -5 } }, /`restart.minUptime` must be a non-negative integer \(ms\), received -5/],
  [{ restart: { minUptime: '1s' } }, /`restart.minUptime` must be a non-negative integer \(ms\), received "1s"/],
  [{ restart: { minDelay: -1 } }, /`restart.minDelay` must be a non-negative integer \(ms\), received -1/],
  [{ restart: { minDelay: 500, maxDelay: 100 } }, /`restart.maxDelay` must be >= restart.minDelay \(500\), received 100/],
  [{ restart: { maxRestarts: 'ten' } }, /`restart.maxRestarts` must be a non-negative integer, received "ten"/],
  [{ restart: { window: 0 } }, /`restart.window` must be an integer >= 1 \(ms\), received 0/],
  [{ logs: true }, /`logs` must be an object, received true/],
  [{ logs: { path: 'x.log' } }, /unknown option `logs.path`/],
  [{ logs: { maxSize: '10M' } }, /`logs.maxSize` must be a non-negative integer \(bytes\), received "10M"/],
  [{ logs: { maxFiles: 0 } }, /`logs.maxFiles` must be an integer >= 1, received 0/],
  [{ logs: { json: 'yes' } }, /`logs.json` must be true or false, received "yes"/],
  [{ balancer: 'random' }, /`balancer` must be one of 'round-robin', 'os', 'least-connections', 'sticky', received "random"/],
  [{ balancer: 'sticky', sticky: 'x-forwarded-for' }, /`sticky` must be an object such as \{ header: 'x-forwarded-for' \}, received "x-forwarded-for"/],
  [{ balancer: 'sticky', sticky: { cookie: 'sid' } }, /unknown option `sticky.cookie` \(value "sid"\); expected one of: header/],
  [{ balancer: 'sticky', sticky: { header: 'x forwarded' } }, /`sticky.header` must be an HTTP header name, received "x forwarded"/],
  [{ balancer: 'sticky', sticky: { header: '' } }, /`sticky.header` must be a non-empty string, received ""/],
  [{ sticky: { header: 'x-forwarded-for' } }, /`sticky` is set only with `balancer` 'sticky', received balancer "round-robin"/],
  [{ primary: 123 }, /`primary` must be a non-empty string, received 123/],
  [{ primary: './no-such-primary.js' }, /`primary` must be an existing file, received ".*no-such-primary.js"/],
  [{ single: 'true' }, /`single` must be true or false, received "true"/],
  [{ nodeArgs: 512 }, /`nodeArgs` must be node flags: an array of non-empty strings or one string .*received 512/],
  [{ nodeArgs: ['--inspect', ''] }, /`nodeArgs` must be node flags: an array of non-empty strings or one string .*received an array/],
  [{ nodeArgs: ['server.js'] }, /`nodeArgs` must be node flags, starting with '-' .*received "server.js"/],
  [{ logs: { timestamp: 'iso' } }, /`logs.timestamp` must be true or false, received "iso"/],
];

for (const [config, message] of configs) {
  test(`config ${JSON.stringify(config)}: exit 2 with a message`, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'herd.config.json'), JSON.stringify({ script: app, ...config }));
    const r = await runCli(['start'], { home: dir, cwd: dir });
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /ERR_HERD_(INVALID|UNKNOWN)_OPTION|ERR_HERD_SCRIPT_NOT_FOUND/);
  });
}

test('a config file that throws or exports no object: exit 2', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'herd.config.mjs'), 'throw new Error("config exploded");');
  const r = await runCli(['start'], { home: dir, cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot load config .*herd.config.mjs: config exploded \[ERR_HERD_CONFIG_LOAD\]/);

  const dir2 = tempDir();
  writeFileSync(join(dir2, 'herd.config.json'), '[1, 2]');
  const r2 = await runCli(['start'], { home: dir2, cwd: dir2 });
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /must export an object, received an array/);

  const dir3 = tempDir();
  writeFileSync(join(dir3, 'herd.config.json'), '{ not json');
  const r3 = await runCli(['start'], { home: dir3, cwd: dir3 });
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /cannot load config/);
});

test('bad arguments to the control commands: exit 2', async () => {
  const home = tempDir();
  const scale = await runCli(['scale', 'zero', '--name', 'x'], { home });
  assert.equal(scale.code, 2);
  assert.match(scale.stderr, /`<count>` must be an integer >= 1, received "zero"/);
  const scale0 = await runCli(['scale', '0', '--name', 'x'], { home });
  assert.equal(scale0.code, 2);
  const lines = await runCli(['logs', '-n', 'all', '--name', 'x'], { home });
  assert.equal(lines.code, 2);
  assert.match(lines.stderr, /`--lines` must be a non-negative integer, received "all"/);
  const unknown = await runCli(['resart'], { home });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'resart'/);
});
