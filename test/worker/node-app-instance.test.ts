import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, startHerd, waitGone } from '../helpers/herd.js';
import { getJson } from '../helpers/http.js';

interface Echo { pid: number; code: string; instance: string | null }

async function answers(port: number, want: Set<number>): Promise<Map<number, Echo>> {
  const seen = new Map<number, Echo>();
  // Round-robin: each new connection goes to the next worker.
  for (let i = 0; i < 40 && [...want].some((p) => !seen.has(p)); i++) {
    const echo = await getJson<Echo>(port);
    seen.set(echo.pid, echo);
  }
  return seen;
}

test('NODE_APP_INSTANCE is the slot index from 0, kept by a replacement', async (t) => {
  const herd = await startHerd(t, [fixture('env-echo.js'), '-w', '2']);
  const port = await herd.port();
  const { workers } = await herd.status();
  const seen = await answers(port, new Set(workers.map((w) => w.pid)));
  for (const w of workers) assert.equal(seen.get(w.pid)?.instance, w.code === 'A' ? '0' : '1', `worker ${w.code}`);

  const b = workers.find((w) => w.code === 'B')!;
  process.kill(b.pid, 'SIGKILL');
  assert.deepEqual(await waitGone([b.pid]), []);
  let replacement: { pid: number; state: string } | undefined;
  while (!replacement) {
    await herd.waitFor(new RegExp(`^B (?!${b.pid})\\d+ \\| listening`, 'm'));
    replacement = (await herd.status()).workers.find((w) => w.code === 'B' && w.state === 'ready' && w.pid !== b.pid);
  }
  const again = await answers(port, new Set([replacement.pid]));
  assert.equal(again.get(replacement.pid)?.instance, '1');
});
