import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../helpers/herd.js';
import { primaryModule } from '../helpers/channel.js';

test('--single: the app is worker A and talks to the primary module as in a one-worker cluster', async (t) => {
  const home = tempDir();
  const herd = await startHerd(t, [fixture('channel-ping-primary.js'), '--single', ...primaryModule(home, 'channel-primary-echo.js')], { home });
  assert.match(herd.output, /primary module loaded isPrimary=true isMaster=true isWorker=false/);
  await herd.waitFor(/primary got ping 65 from A$/m);
  await herd.waitFor(/A got pong 66 from primary$/m);
  await herd.waitFor(/A got to-all after ping from A$/m);
});

test('--single: consume and map run in worker A; a throwing handler rejects', async (t) => {
  const herd = await startHerd(t, [fixture('channel-consume.js'), '--single']);
  const m = await herd.waitFor(/A consumed (.*)$/m);
  const answers = JSON.parse(m[1]!) as Array<{ n: number; by: string }>;
  assert.deepEqual(answers, Array.from({ length: 20 }, (_, i) => ({ n: i * 2, by: 'A' })));
  await herd.waitFor(/A consume without listener: ERR_HERD_NO_LISTENER$/m);
  await herd.waitFor(/A consume failure: E_APP handler said no$/m);
});

test('--single: map turns a hanging handler into an ERR_HERD_TIMEOUT entry', async (t) => {
  const herd = await startHerd(t, [fixture('channel-map.js'), '--single'], { env: { HANG: 'A', MAP_TIMEOUT: '500' } });
  const m = await herd.waitFor(/A mapped (.*)$/m);
  assert.deepEqual(JSON.parse(m[1]!), [{ code: 'A', error: 'ERR_HERD_TIMEOUT', message: 'worker A did not answer "stats" within 500 ms' }]);
});

test('--single: emitTo any worker but A throws ERR_HERD_UNKNOWN_TARGET; unserializable data throws', async (t) => {
  const herd = await startHerd(t, [fixture('channel-bad-input.js'), '--single']);
  await herd.waitFor(/bad input done/);
  assert.match(herd.output, /bad unknown-code: ERR_HERD_UNKNOWN_TARGET emitTo\("Z", "x"\)/);
  assert.match(herd.output, /bad unknown-pid: ERR_HERD_UNKNOWN_TARGET/);
  assert.match(herd.output, /bad function: ERR_HERD_UNSERIALIZABLE channel data for event "fn-event" contains a function/);
  assert.match(herd.output, /bad map-timeout: ERR_HERD_INVALID_ARGUMENT/);
});
