import { resolve } from 'node:path';
import { configDir, loadConfig } from '../../config/load.js';
import type { HerdOptions, ResolvedOptions } from '../../config/options.js';
import { defaultName, herdHome, resolveOptions } from '../../config/resolve.js';
import { isPlainObject } from '../../config/validate.js';
import { EXIT, exitCodeFor, HerdError } from '../../errors.js';
import type { HerdApp } from '../../primary/app.js';
import { start } from '../../primary/start.js';
import type { LaunchInfo } from '../../shared/control.js';
import { intFlag, portFlag, sizeFlag, workersFlag } from '../args.js';
import { DAEMON_ENV, launchDaemon, type DaemonReport } from '../daemon.js';
import { fail, failText } from '../output.js';
import { PrimarySignals } from '../signals.js';

export interface StartFlags {
  workers?: string;
  name?: string;
  config?: string;
  logFile?: string;
  shutdownTimeout?: string;
  single?: boolean;
  nodeArgs?: string;
  daemon?: boolean;
  balancer?: string;
  hangTimeout?: string;
  maxMemory?: string;
  maxRequests?: string;
  metrics?: string;
  dashboard?: string;
  redis?: string;
  host?: string;
}

/** A daemon's log file rotates at this size unless `logs.maxSize` says otherwise. */
const DAEMON_LOG_MAX_SIZE = 10 * 1024 * 1024;

/**
 * Config file first, CLI flags over it. Paths in the file are relative to the
 * file. Run at start and again by every `herd reload`.
 */
async function buildOptions(script: string | undefined, flags: StartFlags, appArgs: string[], daemon: boolean): Promise<{ options: HerdOptions; file: string | undefined }> {
  const loaded = await loadConfig(flags.config);
  const base = configDir(loaded);
  const options: Record<string, unknown> = { ...loaded.config };
  for (const key of ['script', 'primary'] as const) {
    // An empty path stays empty, for validation to refuse (resolve would make it the folder).
    if (typeof options[key] === 'string' && options[key] !== '') options[key] = resolve(base, options[key] as string);
  }
  if (isPlainObject(options.logs) && typeof options.logs.file === 'string' && options.logs.file !== '') {
    options.logs = { ...options.logs, file: resolve(base, options.logs.file) };
  }

  if (script !== undefined) options.script = resolve(script);
  if (appArgs.length > 0) options.args = appArgs;
  if (flags.workers !== undefined) options.workers = workersFlag(flags.workers);
  if (flags.name !== undefined) options.name = flags.name;
  if (flags.shutdownTimeout !== undefined) options.shutdownTimeout = intFlag('--shutdown-timeout', flags.shutdownTimeout, 0, 'ms');
  if (flags.nodeArgs !== undefined) options.nodeArgs = flags.nodeArgs;
  if (flags.single) options.single = true;
  // Validated with the rest of the options: a bad name exits 2 naming `balancer`.
  if (flags.balancer !== undefined) options.balancer = flags.balancer;
  if (flags.hangTimeout !== undefined) options.hangTimeout = intFlag('--hang-timeout', flags.hangTimeout, 0, 'ms, 0: off');
  if (flags.maxMemory !== undefined) options.maxMemory = sizeFlag('--max-memory', flags.maxMemory);
  if (flags.maxRequests !== undefined) options.maxRequests = intFlag('--max-requests', flags.maxRequests, 0, '0: never');
  if (flags.metrics !== undefined) {
    // The flag sets the port; a host from the config file stays.
    const port = portFlag('--metrics', flags.metrics);
    options.metrics = isPlainObject(options.metrics) ? { ...options.metrics, port } : port;
  }
  if (flags.dashboard !== undefined) {
    // The flag sets the port; host and token from the config file stay.
    const port = portFlag('--dashboard', flags.dashboard);
    options.dashboard = isPlainObject(options.dashboard) ? { ...options.dashboard, port } : port;
  }
  if (flags.redis !== undefined) options.redis = isPlainObject(options.redis) ? { ...options.redis, url: flags.redis } : flags.redis;
  if (flags.host !== undefined) options.host = flags.host;
  if (flags.logFile !== undefined) {
    options.logs = { ...(isPlainObject(options.logs) ? options.logs : {}), file: flags.logFile === '' ? '' : resolve(flags.logFile) };
  }
  if (options.script === undefined) {
    throw new HerdError('ERR_HERD_USAGE', 'missing <script>: herd start <script> [options] [-- <app args>], or `script` in herd.config.js');
  }
  if (daemon) {
    // No terminal in the background: the log goes to a file, $HERD_HOME/<name>.log unless one is set.
    const logs = isPlainObject(options.logs) ? options.logs : {};
    const name = typeof options.name === 'string' ? options.name : defaultName(String(options.script));
    options.logs = {
      ...logs,
      terminal: false,
      file: logs.file ?? resolve(herdHome(), `${name}.log`),
      ...(logs.file === undefined && logs.maxSize === undefined ? { maxSize: DAEMON_LOG_MAX_SIZE } : {}),
    };
  }
  return { options: options as unknown as HerdOptions, file: loaded.file };
}

function readyLine(app: HerdApp): string {
  const workers = app.workers().map((w) => `${w.code}=${w.pid}`).join(' ');
  const count = app.workers().length;
  const mode = app.options.single ? 'single process' : `${count} worker${count === 1 ? '' : 's'}`;
  return `herd: "${app.name}" ready, ${mode} (${workers}), primary pid ${process.pid}`;
}

function dashboardTokenLine(app: HerdApp): string | undefined {
  const d = app.dashboard;
  if (!d) return undefined;
  const token = app.dashboardTokenGenerated ? `token ${d.token}` : 'token from `dashboard.token`';
  return `herd: dashboard actions need ${token} (Authorization: Bearer; also in ${d.tokenFile}, mode 0600)`;
}

/** The arguments after `start`, without `-d` / `--daemon` (for the detached child and `herd restart`). */
export function startArgv(herdArgs: string[]): string[] {
  const rest = herdArgs.slice(herdArgs.indexOf('start') + 1);
  return rest.filter((a) => a !== '-d' && a !== '--daemon');
}

/** `herd start -d`: validate here (bad options exit 2 at once), then run detached. */
async function startDaemon(script: string | undefined, flags: StartFlags, herdArgs: string[], appArgs: string[]): Promise<number> {
  let options: ResolvedOptions;
  try {
    options = resolveOptions((await buildOptions(script, flags, appArgs, true)).options);
  } catch (error) {
    fail(error);
    return exitCodeFor(error);
  }
  const argv = [...startArgv(herdArgs), ...(appArgs.length > 0 ? ['--', ...appArgs] : [])];
  return launchDaemon(argv, options.logs.file!);
}

/** `herd start`: runs in the foreground until stopped (or, with -d, in the background); resolves with the exit code. */
export async function startCommand(script: string | undefined, flags: StartFlags, herdArgs: string[], appArgs: string[]): Promise<number> {
  // The detached child of `herd start -d` reports its boot to the launcher over IPC.
  const daemonChild = process.env[DAEMON_ENV] === '1' && typeof process.send === 'function';
  delete process.env[DAEMON_ENV];
  if (flags.daemon && !daemonChild) return startDaemon(script, flags, herdArgs, appArgs);
  const report = (msg: DaemonReport): Promise<void> => new Promise((done) => {
    if (!daemonChild || !process.connected) return done();
    process.send!(msg, undefined, undefined, () => {
      process.disconnect();
      done();
    });
  });
  const launch: LaunchInfo = {
    argv: startArgv(herdArgs),
    appArgs,
    cwd: process.cwd(),
    env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    config: null,
  };

  const signals = new PrimarySignals();
  let app: HerdApp;
  try {
    const built = await buildOptions(script, flags, appArgs, daemonChild);
    launch.config = built.file ?? null;
    app = await start(built.options);
  } catch (error) {
    fail(error);
    await report({ error: failText(error), exitCode: exitCodeFor(error) });
    return exitCodeFor(error);
  }
  app.launch = launch;
  // `herd reload` re-reads the config file, with the same CLI flags over it.
  app.configSource = async () => resolveOptions((await buildOptions(script, flags, appArgs, daemonChild)).options);
  signals.bind(app);
  // From here on whatever else the primary prints (the `primary` module's
  // handlers, Node's warnings) is a tagged line of the one log too. Not in the
  // API: an embedding process keeps its own stdout.
  // The token goes to the terminal only, never into the log (its file, `herd logs`, the dashboard's own tail).
  const token = dashboardTokenLine(app);
  if (token && !daemonChild) app.logs.terminalOnly(token);
  if (!app.options.single) app.logs.captureSelf('primary');
  const line = readyLine(app);
  app.logs.primary(line);
  await report({ ready: token ? `${line}\n${token}` : line });

  await app.closed;
  app.logs.releaseSelf();
  if (app.failure) {
    // Said once, on stderr, after the last log line: why the herd stopped itself.
    fail(app.failure);
    return EXIT.FAILED;
  }
  return signals.forced ? EXIT.FAILED : EXIT.OK;
}
