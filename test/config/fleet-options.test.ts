import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { resolveOptions } from '../../src/config/resolve.js';
import { fixture, runCli, tempDir } from '../helpers/herd.js';

const app = fixture('http-server.js');

const badRedis: Array<[unknown, RegExp]> = [
  [6379, /^`redis` must be a Redis URL .* or \{ url, prefix \}, received 6379$/],
  ['localhost:6379', /^`redis` must be a Redis URL .*, received "localhost:6379"$/],
  ['http://127.0.0.1:6379', /^`redis` must be a Redis URL .*, received "http:\/\/127.0.0.1:6379"$/],
  [{ url: 5 }, /^`redis.url` must be a Redis URL .*, received 5$/],
  [{ url: 'redis://x', prefix: 'a b' }, /^`redis.prefix` must be a string of at most 64 printable characters without spaces, received "a b"$/],
  [null, /^`redis` must be .*, received null$/],
];

for (const [value, message] of badRedis) {
  test(`redis ${JSON.stringify(value)} is refused, naming the option and what it expects`, () => {
    assert.throws(() => resolveOptions({ script: app, redis: value }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_HERD_INVALID_OPTION');
      assert.match(error.message, message);
      return true;
    });
  });
}

test('an unknown key in redis is refused', () => {
  assert.throws(() => resolveOptions({ script: app, redis: { url: 'redis://x', db: 2 } }), { code: 'ERR_HERD_UNKNOWN_OPTION', message: /`redis.db`/ });
});

for (const value of ['', 'web/2', 'a b', '-web', 7, 'x'.repeat(129)]) {
  test(`host ${JSON.stringify(value).slice(0, 20)} is refused`, () => {
    assert.throws(() => resolveOptions({ script: app, host: value }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_HERD_INVALID_OPTION');
      assert.match(error.message, /^`host` must be a host name: letters, digits, "\.", "_", ":" or "-" .*no "\/"\), received /);
      return true;
    });
  });
}

test('defaults: no redis; host is this machine; a URL takes the prefix herd:', () => {
  const plain = resolveOptions({ script: app });
  assert.equal(plain.redis, undefined);
  assert.equal(plain.host, hostname().replace(/[^A-Za-z0-9._:-]/g, '-'));
  assert.deepEqual(resolveOptions({ script: app, redis: 'redis://127.0.0.1:6379' }).redis, { url: 'redis://127.0.0.1:6379', prefix: 'herd:' });
  assert.equal(resolveOptions({ script: app, host: 'web-2' }).host, 'web-2');
});

test('herd start --redis with a bad URL: exit 2 before anything starts', async () => {
  const home = tempDir();
  const r = await runCli(['start', app, '--redis', 'nope'], { home });
  assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /`redis` must be a Redis URL .*, received "nope" \[ERR_HERD_INVALID_OPTION\]/);
});
