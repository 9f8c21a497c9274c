import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { LogWriter } from '../../../src/primary/logs/writer.js';

function terminal(isTTY: boolean): PassThrough & { isTTY: boolean; text(): string } {
  const out = new PassThrough() as PassThrough & { isTTY: boolean; text(): string };
  out.isTTY = isTTY;
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  out.text = () => text;
  return out;
}

async function written(isTTY: boolean, noColor: string | undefined): Promise<string> {
  const saved = process.env.NO_COLOR;
  if (noColor === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = noColor;
  try {
    const out = terminal(isTTY);
    const writer = new LogWriter({ file: undefined, json: false, terminal: true, out });
    writer.write({ source: 'A', pid: 7, stream: 'stdout', text: 'hello', time: 0 });
    await writer.close();
    return out.text();
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }
}

test('the prefix is coloured on a TTY, plain under NO_COLOR or when piped', async () => {
  assert.match(await written(true, undefined), /^\x1b\[\d+mA 7 \|\x1b\[0m hello\n$/);
  assert.equal(await written(true, '1'), 'A 7 | hello\n');
  assert.equal(await written(false, undefined), 'A 7 | hello\n');
});

test('herd logs gets the plain text even when the terminal is coloured', async () => {
  const saved = process.env.NO_COLOR;
  delete process.env.NO_COLOR;
  try {
    const writer = new LogWriter({ file: undefined, json: false, terminal: true, out: terminal(true) });
    writer.write({ source: 'B', pid: 8, stream: 'stderr', text: 'oops', time: 0 });
    assert.deepEqual(writer.tail(5), ['B 8 ! oops']);
    await writer.close();
  } finally {
    if (saved !== undefined) process.env.NO_COLOR = saved;
  }
});
