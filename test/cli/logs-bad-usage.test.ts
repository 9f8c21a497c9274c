import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, runCli, startHerd } from '../helpers/herd.js';

test('herd logs refuses bad -n values and --reopen with -f (exit 2)', async (t) => {
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1']);
  for (const [args, message] of [
    [['-n', '-1'], /--lines/],
    [['-n', 'ten'], /--lines/],
    [['-n', '1.5'], /--lines/],
    [['--reopen', '-f'], /--reopen and --follow/],
  ] as const) {
    const r = await herd.cli('logs', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});

test('herd logs --reopen without a log file fails with ERR_HERD_LOG_FILE (exit 1)', async (t) => {
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '1']);
  const r = await herd.cli('logs', '--reopen');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no log file is configured.*\[ERR_HERD_LOG_FILE\]/);
});

test('herd logs for a herd that is not running exits 3', async () => {
  const r = await runCli(['logs', '--name', 'nobody-runs-this'], { home: '/tmp/herd-no-such-home' });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /ERR_HERD_NOT_RUNNING/);
});
