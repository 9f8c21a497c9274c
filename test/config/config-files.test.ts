import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../helpers/herd.js';

const app = fixture('print-argv.js');
const body = (name: string) => ({ script: app, name, workers: 1, args: ['--from', name], env: { GREETING: `hi-${name}` } });

const formats: Array<[string, (o: object) => string]> = [
  ['herd.config.js', (o) => `export default ${JSON.stringify(o)};`],
  ['herd.config.mjs', (o) => `export default ${JSON.stringify(o)};`],
  ['herd.config.cjs', (o) => `module.exports = ${JSON.stringify(o)};`],
  ['herd.config.json', (o) => JSON.stringify(o)],
];

for (const [file, render] of formats) {
  test(`${file} in the working directory is found and used (args, env, name, workers)`, async (t) => {
    const dir = tempDir();
    const name = file.replace(/\W/g, '-');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, file), render(body(name)));
    const herd = await startHerd(t, [], { cwd: dir, home: dir, name });
    await herd.waitFor(new RegExp(`argv \\["--from","${name}"\\] env hi-${name} main true`));
    const status = await herd.status();
    assert.equal(status.workers.length, 1);
  });
}

test('CLI flags override the config file; app args after --', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'herd.config.json'), JSON.stringify(body('overridden')));
  const herd = await startHerd(t, ['-w', '2', '--name', 'flags-win', '--', 'x', '--y'], { cwd: dir, home: dir });
  await herd.waitFor(/argv \["x","--y"\] env hi-overridden main true/);
  const status = await herd.status();
  assert.equal(status.workers.length, 2);
});
