import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { getFrom } from '../../helpers/http.js';

test('sticky by IP: each client address always lands on the same worker, and both workers get addresses', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '2', '--balancer', 'sticky']);
  const port = await herd.port();
  const addresses = Array.from({ length: 20 }, (_, i) => `127.0.0.${i + 2}`);
  const seen = new Map<string, Set<string>>(addresses.map((a) => [a, new Set()]));

  // Rounds interleave the addresses: every request is a new connection.
  for (let round = 0; round < 5; round++) {
    await Promise.all(addresses.map(async (address) => {
      const { code } = await getFrom(port, address);
      seen.get(address)!.add(code);
    }));
  }
  for (const [address, codes] of seen) assert.equal(codes.size, 1, `${address} reached ${[...codes]}`);
  const used = new Set([...seen.values()].map((codes) => [...codes][0]));
  assert.deepEqual(used, new Set(['A', 'B']));

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});

test('sticky by header: the first address of x-forwarded-for decides, with the request bytes intact', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'herd.config.json'), JSON.stringify({
    script: fixture('http-server.js'), workers: 2, balancer: 'sticky', sticky: { header: 'X-Forwarded-For' },
  }));
  const herd = await startHerd(t, [], { cwd: dir });
  const port = await herd.port();
  const clients = Array.from({ length: 12 }, (_, i) => `10.0.0.${i + 1}`);
  const seen = new Map<string, Set<string>>(clients.map((c) => [c, new Set()]));
  for (let round = 0; round < 3; round++) {
    await Promise.all(clients.map(async (client) => {
      // A proxy appends itself: only the first address is the client's.
      const { code } = await getFrom(port, '127.0.0.1', `/?round=${round}`, { 'x-forwarded-for': `${client}, 192.168.1.${round}` });
      seen.get(client)!.add(code);
    }));
  }
  for (const [client, codes] of seen) assert.equal(codes.size, 1, `${client} reached ${[...codes]}`);
  assert.deepEqual(new Set([...seen.values()].map((codes) => [...codes][0])), new Set(['A', 'B']));

  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
});
