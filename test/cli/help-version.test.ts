import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from '../helpers/herd.js';

test('--version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

test('--help lists every command, and each command has its own help', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const cmd of ['start', 'status', 'reload', 'scale', 'stop', 'logs']) assert.match(r.stdout, new RegExp(`^\\s+${cmd}\\b`, 'm'));
  const start = await runCli(['start', '--help']);
  assert.equal(start.code, 0);
  for (const flag of ['--workers', '--name', '--config', '--log-file', '--shutdown-timeout', '--single']) assert.ok(start.stdout.includes(flag), flag);
  const logs = await runCli(['logs', '--help']);
  assert.match(logs.stdout, /--follow/);
  assert.match(logs.stdout, /--lines/);
});
