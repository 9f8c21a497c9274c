import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSize } from '../../src/config/health.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { HerdError } from '../../src/errors.js';
import { fixture, runCli, tempDir } from '../helpers/herd.js';

const app = fixture('http-server.js');

test('sizes: bytes, K/M/G in powers of 1024, decimals', () => {
  assert.equal(parseSize(1000), 1000);
  assert.equal(parseSize('1000'), 1000);
  assert.equal(parseSize('512M'), 512 * 1024 ** 2);
  assert.equal(parseSize('1.5G'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('64k'), 64 * 1024);
  assert.equal(parseSize('200MB'), 200 * 1024 ** 2);
  for (const bad of ['12Q', '', 'M', '-5M', '1.5', 0, -1, 1.5, Number.NaN, null, true]) assert.equal(parseSize(bad), undefined, String(bad));
});

test('the health options resolve with their defaults', () => {
  const o = resolveOptions({ script: app });
  assert.deepEqual([o.hangTimeout, o.maxMemory, o.maxRequests, o.maxRequestsJitter, o.metrics], [30_000, 0, 0, 0, undefined]);
  const p = resolveOptions({ script: app, hangTimeout: 0, maxMemory: '1.5G', maxRequests: 100, maxRequestsJitter: 50, metrics: 9100 });
  assert.deepEqual([p.hangTimeout, p.maxMemory, p.maxRequests, p.maxRequestsJitter, p.metrics], [0, 1.5 * 1024 ** 3, 100, 50, { port: 9100, host: '127.0.0.1' }]);
  assert.deepEqual(resolveOptions({ script: app, metrics: { port: 0, host: '::1' } }).metrics, { port: 0, host: '::1' });
});

// Each bad value: refused with a message naming the key, what was expected and what was received.
const configs: Array<[Record<string, unknown>, RegExp]> = [
  [{ hangTimeout: -1 }, /`hangTimeout` must be a non-negative integer \(ms, 0: off\), received -1/],
  [{ hangTimeout: Number.NaN }, /`hangTimeout` must be a non-negative integer .*received NaN/],
  [{ hangTimeout: '30s' }, /`hangTimeout` must be a non-negative integer .*received "30s"/],
  [{ hangTimeout: 1e12 }, /`hangTimeout` must be at most 2147483647 \(ms\)/],
  [{ maxMemory: '12Q' }, /`maxMemory` must be a positive number of bytes or a size like '512M' or '1.5G' .*received "12Q"/],
  [{ maxMemory: -5 }, /`maxMemory` must be .*received -5/],
  [{ maxMemory: Number.NaN }, /`maxMemory` must be .*received NaN/],
  [{ maxMemory: true }, /`maxMemory` must be .*received true/],
  [{ maxRequests: -1 }, /`maxRequests` must be a non-negative integer \(0: never\), received -1/],
  [{ maxRequests: 1.5 }, /`maxRequests` must be .*received 1.5/],
  [{ maxRequests: '100' }, /`maxRequests` must be .*received "100"/],
  [{ maxRequestsJitter: -2 }, /`maxRequestsJitter` must be a non-negative integer, received -2/],
  [{ maxRequestsJitter: Number.NaN }, /`maxRequestsJitter` must be .*received NaN/],
  [{ metrics: -1 }, /`metrics` must be a port number from 0 to 65535 .*received -1/],
  [{ metrics: 70000 }, /`metrics` must be a port number .*received 70000/],
  [{ metrics: '9100' }, /`metrics` must be a port number or \{ port, host \}, received "9100"/],
  [{ metrics: { port: 'x' } }, /`metrics.port` must be a port number .*received "x"/],
  [{ metrics: { port: 9100, host: '' } }, /`metrics.host` must be a non-empty string, received ""/],
  [{ metrics: { port: 9100, path: '/m' } }, /unknown option `metrics.path`/],
];

for (const [config, message] of configs) {
  test(`option ${JSON.stringify(config, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v))} is refused`, () => {
    assert.throws(() => resolveOptions({ script: app, ...config }), (error: HerdError) => {
      assert.match(error.message, message);
      assert.match(error.code, /ERR_HERD_(INVALID|UNKNOWN)_OPTION/);
      return true;
    });
  });
}

test('a bad health value in the config file: exit 2', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'herd.config.json'), JSON.stringify({ script: app, maxMemory: '12Q' }));
  const r = await runCli(['start'], { home: dir, cwd: dir });
  assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /`maxMemory` must be .*received "12Q" \[ERR_HERD_INVALID_OPTION\]/);
});

const flags: Array<[string[], RegExp]> = [
  [['--hang-timeout', '-1'], /`--hang-timeout` must be a non-negative integer \(ms, 0: off\), received "-1"/],
  [['--hang-timeout', 'NaN'], /`--hang-timeout` must be a non-negative integer .*received "NaN"/],
  [['--max-memory', '12Q'], /`--max-memory` must be a positive number of bytes or a size like '512M' or '1.5G' .*received "12Q"/],
  [['--max-memory', '-1G'], /`--max-memory` must be .*received "-1G"/],
  [['--max-requests', '-3'], /`--max-requests` must be a non-negative integer \(0: never\), received "-3"/],
  [['--max-requests', 'lots'], /`--max-requests` must be .*received "lots"/],
  [['--metrics', '70000'], /`--metrics` must be a port number from 0 to 65535 .*received "70000"/],
  [['--metrics', 'on'], /`--metrics` must be a port number .*received "on"/],
];

for (const [args, message] of flags) {
  test(`herd start ${args.join(' ')}: exit 2 naming the flag`, async () => {
    const r = await runCli(['start', app, ...args], { home: tempDir() });
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stdout, /ready/);
  });
}

test('a metrics port already taken: the start fails with ERR_HERD_METRICS, exit 1', async (t) => {
  const net = await import('node:net');
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const r = await runCli(['start', app, '-w', '1', '--metrics', String(port)], { home: tempDir() });
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.* \\[ERR_HERD_METRICS\\]`));
});
