import { resolve } from 'node:path';
import { configDir, loadConfig } from '../../config/load.js';
import type { HerdOptions } from '../../config/options.js';
import { isPlainObject } from '../../config/validate.js';
import { EXIT, exitCodeFor, HerdError } from '../../errors.js';
import { start, type HerdApp } from '../../primary/app.js';
import { intFlag, portFlag, sizeFlag, workersFlag } from '../args.js';
import { fail } from '../output.js';
import { PrimarySignals } from '../signals.js';

export interface StartFlags {
  workers?: string;
  name?: string;
  config?: string;
  logFile?: string;
  shutdownTimeout?: string;
  single?: boolean;
  hangTimeout?: string;
  maxMemory?: string;
  maxRequests?: string;
  metrics?: string;
}

/** Config file first, CLI flags over it. Paths in the file are relative to the file. */
async function buildOptions(script: string | undefined, flags: StartFlags, appArgs: string[]): Promise<HerdOptions> {
  const loaded = await loadConfig(flags.config);
  const base = configDir(loaded);
  const options: Record<string, unknown> = { ...loaded.config };
  for (const key of ['script', 'primary'] as const) {
    if (typeof options[key] === 'string') options[key] = resolve(base, options[key] as string);
  }
  // An empty path stays empty, for validation to refuse (resolve would make it the folder).
  if (isPlainObject(options.logs) && typeof options.logs.file === 'string' && options.logs.file !== '') {
    options.logs = { ...options.logs, file: resolve(base, options.logs.file) };
  }

  if (script !== undefined) options.script = resolve(script);
  if (appArgs.length > 0) options.args = appArgs;
  if (flags.workers !== undefined) options.workers = workersFlag(flags.workers);
  if (flags.name !== undefined) options.name = flags.name;
  if (flags.shutdownTimeout !== undefined) options.shutdownTimeout = intFlag('--shutdown-timeout', flags.shutdownTimeout, 0, 'ms');
  if (flags.single) options.single = true;
  if (flags.hangTimeout !== undefined) options.hangTimeout = intFlag('--hang-timeout', flags.hangTimeout, 0, 'ms, 0: off');
  if (flags.maxMemory !== undefined) options.maxMemory = sizeFlag('--max-memory', flags.maxMemory);
  if (flags.maxRequests !== undefined) options.maxRequests = intFlag('--max-requests', flags.maxRequests, 0, '0: never');
  if (flags.metrics !== undefined) {
    // The flag sets the port; a host from the config file stays.
    const port = portFlag('--metrics', flags.metrics);
    options.metrics = isPlainObject(options.metrics) ? { ...options.metrics, port } : port;
  }
  if (flags.logFile !== undefined) {
    options.logs = { ...(isPlainObject(options.logs) ? options.logs : {}), file: resolve(flags.logFile) };
  }
  if (options.script === undefined) {
    throw new HerdError('ERR_HERD_USAGE', 'missing <script>: herd start <script> [options] [-- <app args>], or `script` in herd.config.js');
  }
  return options as unknown as HerdOptions;
}

function readyLine(app: HerdApp): string {
  const workers = app.workers().map((w) => `${w.code}=${w.pid}`).join(' ');
  const count = app.workers().length;
  const mode = app.options.single ? 'single process' : `${count} worker${count === 1 ? '' : 's'}`;
  return `herd: "${app.name}" ready, ${mode} (${workers}), primary pid ${process.pid}`;
}

/** `herd start`: runs in the foreground until stopped; resolves with the exit code. */
export async function startCommand(script: string | undefined, flags: StartFlags, appArgs: string[]): Promise<number> {
  const signals = new PrimarySignals();
  let app: HerdApp;
  try {
    app = await start(await buildOptions(script, flags, appArgs));
  } catch (error) {
    fail(error);
    return exitCodeFor(error);
  }
  signals.bind(app);
  // From here on whatever else the primary prints (the `primary` module's
  // handlers, Node's warnings) is a tagged line of the one log too. Not in the
  // API: an embedding process keeps its own stdout.
  if (!app.options.single) app.logs.captureSelf('primary');
  app.logs.primary(readyLine(app));

  await app.closed;
  app.logs.releaseSelf();
  if (app.failure) {
    // Said once, on stderr, after the last log line: why the herd stopped itself.
    fail(app.failure);
    return EXIT.FAILED;
  }
  return signals.forced ? EXIT.FAILED : EXIT.OK;
}
