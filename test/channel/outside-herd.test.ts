import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ROOT } from '../helpers/herd.js';

// A plain `node app.js` (no herd): handlers register, sends fail with a clear code.
test('outside herd the channel is neither primary nor worker and refuses to send with ERR_HERD_NOT_IN_CLUSTER', () => {
  const script = `
    const { channel } = require('herd');
    channel.on('x', () => {});
    const out = { isPrimary: channel.isPrimary, isWorker: channel.isWorker, code: channel.code ?? null };
    try { channel.emit('x', 1); } catch (e) { out.emit = e.code; }
    channel.consume('x').catch((e) => { out.consume = e.code; console.log(JSON.stringify(out)); });
  `;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HERD_ROLE: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { isPrimary: false, isWorker: false, code: null, emit: 'ERR_HERD_NOT_IN_CLUSTER', consume: 'ERR_HERD_NOT_IN_CLUSTER' });
});
