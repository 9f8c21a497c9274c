import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, write, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileSink } from '../../../src/primary/logs/file-sink.js';
import { fixture, startHerd, tempDir } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';
import { readLines } from '../../helpers/logs.js';

// A full disk: the failure is said once, the lines are retried in order, and
// what had to be counted away is said too; nothing disappears in silence.

const enospc = (): NodeJS.ErrnoException => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A condition set by a callback this test has no event for. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

function failing(times: number): typeof write {
  let left = times;
  return ((fd: number, buffer: Buffer, offset: number, length: number, position: null, cb: (e: Error | null, n: number) => void) => {
    if (left-- > 0) return process.nextTick(cb, enospc(), 0);
    return write(fd, buffer, offset, length, position, cb);
  }) as unknown as typeof write;
}

test('a write that fails with ENOSPC is reported once and retried until every line is in the file, in order', async () => {
  const path = join(tempDir('herd-log-'), 'app.log');
  const errors: Error[] = [];
  const recovered: number[] = [];
  const sink = new FileSink({ path, maxSize: 0, maxFiles: 5, onError: (e) => errors.push(e), onRecover: (n) => recovered.push(n), writeFd: failing(3) });
  for (let i = 1; i <= 100; i++) sink.write(`line ${i}\n`);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sink.writableNeedDrain, false, 'nobody is held back while the file fails');
  await until(() => recovered.length > 0);
  await sink.close();
  assert.equal(errors.length, 1, 'reported once, not once per retry');
  assert.match(errors[0]!.message, /ENOSPC/);
  assert.deepEqual(recovered, [0]);
  assert.deepEqual(readLines(path), Array.from({ length: 100 }, (_, i) => `line ${i + 1}`));
});

test('a file that keeps failing holds 4 MiB, counts the rest, and says at close how many lines it lost', async () => {
  const path = join(tempDir('herd-log-'), 'app.log');
  const errors: Error[] = [];
  const sink = new FileSink({ path, maxSize: 0, maxFiles: 5, onError: (e) => errors.push(e), onRecover: () => assert.fail('never recovers'), writeFd: failing(Infinity) });
  const line = `${'x'.repeat(1023)}\n`;
  sink.write(line);
  await until(() => errors.length === 1);
  for (let i = 0; i < 6 * 1024; i++) sink.write(line);
  assert.ok(sink.writableLength <= 4 * 1024 * 1024 + 1024, `holds ${sink.writableLength} bytes`);
  await sink.close();
  assert.equal(errors.length, 2);
  // Every line: those counted away while it failed, and those it held until the close.
  assert.match(errors[1]!.message, /^6145 lines could not be written to the log file .*app\.log \(ENOSPC/);
  assert.equal(statSync(path).size, 0);
});

test('a real full disk: herd says so once, and the lines reach the file once there is room', async (t) => {
  if (process.getuid?.() !== 0) {
    console.log('skipped: needs root to mount a small tmpfs; not counted as a pass');
    return t.skip('needs root to mount a small tmpfs');
  }
  const dir = join(tempDir('herd-full-'), 'disk');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    console.log('skipped: mount -t tmpfs is not permitted here; not counted as a pass');
    return t.skip('mount -t tmpfs is not permitted here');
  }
  t.after(() => { execFileSync('umount', ['-l', dir]); });
  const path = join(dir, 'app.log');
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1', '--log-file', path]);
  const port = await herd.port();
  // Fill the disk to the last block.
  const filler = join(dir, 'filler');
  try { writeFileSync(filler, Buffer.alloc(256 * 1024)); } catch { /* ENOSPC: full, as wanted */ }
  await get(port, '/print?tag=full&n=200');
  await herd.waitFor(/herd: writing the log file .*app\.log failed \(ENOSPC/);
  await get(port, '/print?tag=more&n=50');
  await herd.waitFor(/more 50 /);
  rmSync(filler);
  await herd.waitFor(/herd: the log file .*app\.log is written again/, 15_000);
  herd.signal('SIGTERM');
  assert.deepEqual(await herd.exited, { code: 0, signal: null });
  assert.equal(herd.count(/failed \(ENOSPC/g), 1, 'reported once');
  const lines = readLines(path);
  assert.equal(lines.filter((l) => / \| full \d+ /.test(l)).length, 200);
  assert.equal(lines.filter((l) => / \| more \d+ /.test(l)).length, 50);
});
