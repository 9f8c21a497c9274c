import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { checkName } from '../../config/name.js';
import { defaultName, herdHome } from '../../config/resolve.js';
import { EXIT, exitCodeFor, HerdError } from '../../errors.js';
import type { ReloadReport } from '../../primary/app.js';
import { MAX_WORKERS, probe, socketFile, type LaunchInfo, type StatusResult } from '../../shared/control.js';
import { intFlag } from '../args.js';
import { call, liveInstances } from '../client.js';
import { fail, statusTable } from '../output.js';

// status, stop, reload, scale and logs: each one request over the control socket.

/**
 * --name; else the one herd started from this folder (or with its config file
 * here), whatever `herd start` named it; else the name herd.config in this
 * folder gives; else the only herd answering in HERD_HOME.
 */
async function targetName(name: string | undefined): Promise<string> {
  // The same rule as `start`: a name is a file name in HERD_HOME, never a path out of it.
  if (name !== undefined) return checkName('--name', name);
  const home = herdHome();
  const running = await liveInstances(home);
  const cwd = process.cwd();
  const statuses = await Promise.all(running.map((n) => call(home, n, { cmd: 'status' }).result.catch(() => undefined) as Promise<StatusResult | undefined>));
  const here = running.filter((_, i) => {
    const s = statuses[i];
    return s !== undefined && (s.cwd === cwd || (s.config != null && dirname(s.config) === cwd));
  });
  if (here.length === 1) return here[0]!;
  const loaded = await loadConfig(undefined).catch(() => undefined);
  const config = loaded?.config;
  if (config && typeof config.name === 'string') return checkName('name', config.name);
  if (config && typeof config.script === 'string') return defaultName(config.script);
  if (running.length === 1) return running[0]!;
  throw new HerdError(
    running.length === 0 ? 'ERR_HERD_NOT_RUNNING' : 'ERR_HERD_USAGE',
    running.length === 0 ? 'no running herd found' : `several herds are running (${running.join(', ')}): choose one with --name`,
  );
}

async function run(name: string | undefined, action: (name: string) => Promise<void>): Promise<number> {
  try {
    await action(await targetName(name));
    return EXIT.OK;
  } catch (error) {
    fail(error);
    return exitCodeFor(error);
  }
}

export function statusCommand(flags: { name?: string; json?: boolean; watch?: boolean }): Promise<number> {
  return run(flags.name, async (name) => {
    const fetch = async (): Promise<StatusResult> => (await call(herdHome(), name, { cmd: 'status' }).result) as StatusResult;
    if (flags.watch) return watchStatus(fetch, Boolean(flags.json));
    const status = await fetch();
    process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : `${statusTable(status)}\n`);
  });
}

const WATCH_EVERY_MS = 1000;

/**
 * `herd status --watch`: like top, redraws the table in place every second
 * until Ctrl-C (exit 0). Not on a terminal, frames follow one another, a blank
 * line apart; with --json, one JSON object per line.
 */
async function watchStatus(fetch: () => Promise<StatusResult>, json: boolean): Promise<void> {
  const tty = Boolean(process.stdout.isTTY) && !json;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Hide the cursor while redrawing; show it again however the watch ends.
  if (tty) process.stdout.write('\x1b[?25l\x1b[2J');
  try {
    while (!stopped) {
      const status = await fetch();
      if (stopped) break;
      if (json) process.stdout.write(`${JSON.stringify(status)}\n`);
      else if (tty) process.stdout.write(`\x1b[H${statusTable(status).replace(/\n/g, '\x1b[K\n')}\x1b[K\x1b[J\n`);
      else process.stdout.write(`${statusTable(status)}\n\n`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, WATCH_EVERY_MS);
      });
    }
  } finally {
    if (tty) process.stdout.write('\x1b[?25h');
  }
}

export function stopCommand(flags: { name?: string }): Promise<number> {
  return run(flags.name, async (name) => {
    await call(herdHome(), name, { cmd: 'stop' }).result;
    process.stdout.write(`herd: "${name}" stopped\n`);
  });
}

export function reloadCommand(flags: { name?: string }): Promise<number> {
  return run(flags.name, async (name) => {
    const report = (await call(herdHome(), name, { cmd: 'reload' }).result) as Partial<ReloadReport> | undefined;
    process.stdout.write(`herd: "${name}" reloaded${report?.generation ? ` (generation ${report.generation})` : ''}\n`);
    if (report?.needsRestart?.length) {
      process.stderr.write(`herd: not applied by a reload, needs herd restart: ${report.needsRestart.join(', ')}\n`);
    }
  });
}

export function scaleCommand(count: string, flags: { name?: string }): Promise<number> {
  let n: number;
  try {
    n = intFlag('<count>', count, 1);
    if (n > MAX_WORKERS) throw new HerdError('ERR_HERD_INVALID_OPTION', `\`<count>\` must be an integer from 1 to ${MAX_WORKERS}, received ${count}`);
  } catch (error) {
    fail(error);
    return Promise.resolve(EXIT.USAGE);
  }
  return run(flags.name, async (name) => {
    const result = (await call(herdHome(), name, { cmd: 'scale', count: n }).result) as { warning?: unknown } | undefined;
    if (typeof result?.warning === 'string') process.stderr.write(`${result.warning}\n`);
    process.stdout.write(`herd: "${name}" scaled to ${n}\n`);
  });
}

export function logsCommand(flags: { name?: string; follow?: boolean; lines?: string; reopen?: boolean }): Promise<number> {
  if (flags.reopen) {
    if (flags.follow) {
      fail(new HerdError('ERR_HERD_USAGE', '--reopen and --follow cannot be used together'));
      return Promise.resolve(EXIT.USAGE);
    }
    return run(flags.name, async (name) => {
      await call(herdHome(), name, { cmd: 'reopen-logs' }).result;
      process.stdout.write(`herd: "${name}" reopened its log file\n`);
    });
  }
  let lines: number;
  try {
    lines = flags.lines === undefined ? 20 : intFlag('--lines', flags.lines, 0);
  } catch (error) {
    fail(error);
    return Promise.resolve(EXIT.USAGE);
  }
  return run(flags.name, async (name) => {
    const follow = Boolean(flags.follow);
    const c = call(herdHome(), name, { cmd: 'logs', lines, follow }, (line) => process.stdout.write(`${line}\n`));
    if (follow) {
      process.once('SIGINT', () => c.close());
      process.once('SIGTERM', () => c.close());
      // Following ends when the herd stops (socket closed) or on Ctrl-C.
      await c.result.catch((error: HerdError) => {
        if (error.code !== 'ERR_HERD_CONTROL') throw error;
      });
      return;
    }
    await c.result;
  });
}

/** Waits until nobody answers on the socket any more (the old primary closes it right after answering `stop`). */
async function socketGone(path: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (await probe(path)) {
    if (Date.now() > deadline) throw new HerdError('ERR_HERD_CONTROL', `the stopped herd still answers on ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * `herd restart`: stop, then `herd start` again with the arguments, folder and
 * environment of the first start, in the background (`-d`). The config file is
 * read anew, so this carries what a reload cannot (name, balancer, primary, logs).
 */
export function restartCommand(flags: { name?: string }): Promise<number> {
  let code: number = EXIT.OK;
  return run(flags.name, async (name) => {
    const home = herdHome();
    const launch = (await call(home, name, { cmd: 'launch' }).result) as LaunchInfo;
    await call(home, name, { cmd: 'stop' }).result;
    process.stdout.write(`herd: "${name}" stopped, starting it again\n`);
    await socketGone(socketFile(home, name));
    const argv = [process.argv[1]!, 'start', ...launch.argv, '-d', ...(launch.appArgs.length > 0 ? ['--', ...launch.appArgs] : [])];
    code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [...process.execArgv, ...argv], { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', (error) => {
        process.stderr.write(`herd: cannot start again: ${error.message}\n`);
        resolve(EXIT.FAILED);
      });
      child.once('exit', (exitCode) => resolve(exitCode ?? EXIT.FAILED));
    });
  }).then((result) => (result === EXIT.OK ? code : result));
}
