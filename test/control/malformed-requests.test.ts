import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd } from '../helpers/herd.js';

function exchange(path: string, payload: string, answers: number): Promise<Array<{ id: number; ok: boolean; error?: { code: string; message: string } }>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let buffered = '';
    const out: Array<{ id: number; ok: boolean; error?: { code: string; message: string } }> = [];
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (d: string) => {
      buffered += d;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        out.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
      if (out.length >= answers) {
        socket.destroy();
        resolve(out);
      }
    });
    socket.on('error', reject);
  });
}

test('malformed and unknown control requests get error answers and never take the primary down', async (t) => {
  const herd = await startHerd(t, [fixture('http-server.js'), '-w', '1', '--name', 'robust']);
  const path = join(herd.home, 'robust.sock');
  const bad = [
    'this is not json',
    '[1,2,3]',
    '{"cmd":"status"}',
    '{"id":"x","cmd":"status"}',
    '{"id":2,"cmd":"explode"}',
    '{"id":3}',
    '{"id":4,"cmd":"scale"}',
    '{"id":5,"cmd":"scale","count":0}',
    '{"id":6,"cmd":"scale","count":1.5}',
    '{"id":7,"cmd":"scale","count":"3"}',
    '{"id":8,"cmd":"logs","lines":-1}',
    '{"id":9,"cmd":"logs","lines":5,"follow":"yes"}',
  ];
  const answers = await exchange(path, `${bad.join('\n')}\n`, bad.length);
  assert.equal(answers.length, bad.length);
  for (const a of answers) {
    assert.equal(a.ok, false);
    assert.equal(a.error?.code, 'ERR_HERD_BAD_REQUEST');
  }
  assert.match(answers[0]!.error!.message, /not valid JSON/);
  assert.match(answers[4]!.error!.message, /unknown command "explode"/);
  assert.match(answers[7]!.error!.message, /`count` must be an integer from 1 to 1024, received 0/);

  // A request far too long is refused, then the connection closed.
  const huge = await exchange(path, 'x'.repeat(200_000), 1);
  assert.equal(huge[0]!.error?.code, 'ERR_HERD_BAD_REQUEST');

  // A client that connects and vanishes mid-line.
  await new Promise<void>((resolve) => {
    const s = net.connect(path, () => { s.write('{"id":1,"cm'); s.destroy(); resolve(); });
  });

  const status = await herd.status();
  assert.equal(status.workers.length, 1);
  assert.equal(herd.child.exitCode, null);
});
