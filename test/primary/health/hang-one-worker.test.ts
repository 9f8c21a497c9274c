import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { test } from 'node:test';
import { start } from 'herd';
import { fixture, tempDir, waitGone } from '../../helpers/herd.js';
import { get, getJson } from '../../helpers/http.js';

test('with one worker, the hung worker is killed only after its replacement is ready; worker-hung carries the stack', async (t) => {
  const app = await start({
    script: fixture('hang-in-handler.js'),
    workers: 1,
    hangTimeout: 1500,
    home: tempDir(),
    name: 'hang1',
    logs: { terminal: false },
  });
  t.after(() => app.kill());
  const [hung] = app.workers();
  const port = await new Promise<number>((resolve) => {
    const found = (text: string): boolean => {
      const m = /listening on [\d.]+:(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
      return m !== null;
    };
    if (found(app.logs.tail(10).join('\n'))) return;
    const unfollow = app.logs.follow((line) => { if (found(line)) unfollow(); });
  });

  const order: string[] = [];
  app.on('worker-ready', (w) => order.push(`ready ${w.pid}`));
  app.on('worker-exit', (w) => order.push(`exit ${w.pid}`));
  const hungEvent = new Promise<{ pid: number; code: string; stack: string[]; silentFor: number }>((resolve) => app.once('worker-hung', resolve));

  // The same event on diagnostics_channel.
  const published: Array<{ pid: number }> = [];
  const onHung = (info: unknown): void => { published.push(info as { pid: number }); };
  diagnostics.subscribe('herd:worker-hung', onHung);
  t.after(() => diagnostics.unsubscribe('herd:worker-hung', onHung));

  void get(port, '/spin').catch(() => {});
  const info = await hungEvent;
  assert.equal(info.pid, hung!.pid);
  assert.equal(info.code, 'A');
  assert.ok(info.silentFor > 1500, `silentFor ${info.silentFor}`);
  assert.match(info.stack[0]!, /^ {4}at spinForever \(.*hang-in-handler\.js:\d+:\d+\)$/);
  assert.deepEqual(published.map((p) => p.pid), [hung!.pid]);

  assert.deepEqual(await waitGone([hung!.pid]), []);
  const replacement = app.workers()[0]!;
  assert.notEqual(replacement.pid, hung!.pid);
  // The replacement was ready before the hung worker went: the port never closed.
  const readyAt = order.indexOf(`ready ${replacement.pid}`);
  const exitAt = order.indexOf(`exit ${hung!.pid}`);
  assert.ok(readyAt !== -1 && exitAt !== -1 && readyAt < exitAt, order.join(', '));
  assert.equal((await getJson(port)).pid, replacement.pid);
  assert.equal(replacement.restarts, 0);
  await app.stop();
});
