import { serializeError } from '../errors.js';
import { message, type HerdMessage, type ShutdownReason } from '../shared/protocol.js';
import { runtime } from '../shared/runtime.js';
import { drainServers, failCurrentRequest, holding, installServerTracking } from './servers.js';

// What every worker does around the app: tell the primary when it is ready,
// drain on request, and turn an uncaught error into replace-then-retire.

export interface WorkerTransport {
  send(msg: HerdMessage): void;
  /** Ends the worker process (or, in single mode, tells the primary the app is done). */
  exit(code: number): void;
}

const HOLDING_REPORT_MS = 500;

let shuttingDown: Promise<void> | undefined;
/** Set after an uncaught error: the worker exits 1 whenever it goes. */
let failed = false;

export function installWorker(transport: WorkerTransport): void {
  const rt = runtime();
  rt.toPrimary = (msg) => transport.send(msg);
  rt.markReady = () => {
    if (rt.ready) return;
    rt.ready = true;
    transport.send(message('ready', {}));
    for (const hook of rt.readyHooks.splice(0)) hook();
  };
  let served = false;
  rt.markServed = () => {
    if (served) return;
    served = true;
    transport.send(message('answered', {}));
  };
  installServerTracking(() => rt.markReady?.(), () => rt.markServed?.(), {
    booting: () => !rt.ready,
    binding: (target) => transport.send(message('binding', { target })),
    // The worker cannot serve: say so now, not after readyTimeout. The primary ends it.
    listenError: (target, error) => {
      const code = typeof error.code === 'string' ? error.code : null;
      process.stderr.write(`herd: cannot listen on ${target}: ${error.message}\n`);
      transport.send(message('listen-error', { target, code, message: error.message }));
    },
  });

  const onFatal = (kind: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    const text = error instanceof Error && error.stack ? error.stack : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    process.stderr.write(`${kind}${typeof code === 'string' ? ` [${code}]` : ''}: ${text}\n`);
    // Before it is ready a worker has nothing to finish: fail fast so the primary sees a boot failure.
    if (!rt.ready) return transport.exit(1);
    // Answer the request whose handler threw (if one did) now: it would wait for shutdownTimeout.
    failCurrentRequest();
    if (shuttingDown || failed) return;
    failed = true;
    // The primary answers with `shutdown`: at once when other workers serve,
    // else once a replacement is ready, so the port never closes under clients.
    transport.send(message('fatal', { error: serializeError(error), kind }));
  };
  process.on('uncaughtException', onFatal('uncaughtException'));
  process.on('unhandledRejection', onFatal('unhandledRejection'));
}

/** Drain servers, run onShutdown hooks, exit. Runs once however often it is asked. */
export function shutdown(reason: ShutdownReason, transport: WorkerTransport, exitCode = failed ? 1 : 0): Promise<void> {
  shuttingDown ??= (async () => {
    // Told to the primary while draining, so a SIGKILL at shutdownTimeout can say what it cut.
    const report = (): void => transport.send(message('holding', holding()));
    const reporter = setInterval(report, HOLDING_REPORT_MS);
    reporter.unref();
    report();
    await drainServers(failed);
    clearInterval(reporter);
    await runShutdownHooks(reason);
    transport.exit(exitCode);
  })();
  return shuttingDown;
}

async function runShutdownHooks(reason: ShutdownReason): Promise<void> {
  const hooks = runtime().shutdownHooks.splice(0);
  for (const hook of hooks) {
    try {
      await hook();
    } catch (error) {
      const text = error instanceof Error && error.stack ? error.stack : String(error);
      process.stderr.write(`onShutdown hook failed during ${reason}: ${text}\n`);
    }
  }
}
