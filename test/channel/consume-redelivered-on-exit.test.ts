import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../helpers/herd.js';
import { primaryModule } from '../helpers/channel.js';

for (const workers of [2, 3]) {
  test(`a consumed message goes to another worker when the chosen one dies mid-task (${workers} workers)`, async (t) => {
    const home = tempDir();
    const herd = await startHerd(t, [fixture('channel-consume-dies.js'), '-w', String(workers), ...primaryModule(home, 'channel-primary-consumes.js')], {
      home,
      env: { MARKER: join(home, 'marker'), WORKERS: String(workers) },
    });
    const died = await herd.waitFor(/^([A-Z]) (\d+) \| \1 dying with task 1$/m);
    const answer = await herd.waitFor(/^primary \d+ \| primary consume answered: done 1 by ([A-Z]+) (\d+)$/m);
    // Someone else (another worker, or the dead one's replacement) finished it.
    assert.notEqual(answer[2], died[2]);
    await herd.waitFor(new RegExp(`worker ${died[1]} \\(pid ${died[2]}\\) exited unexpectedly with code 7`));
    assert.equal(herd.count(/finished task 1$/gm), 1);
    assert.equal(herd.count(/primary consume/g), 1);
  });
}
