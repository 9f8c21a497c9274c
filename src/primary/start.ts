import type { HerdOptions } from '../config/options.js';
import { describeLoadError, ImportTimeout, importWithin } from '../config/import.js';
import { resolveOptions } from '../config/resolve.js';
import { HerdError } from '../errors.js';
import { runtime } from '../shared/runtime.js';
import { bindLocalChannel } from '../channel/local.js';
import { bindPrimaryChannel } from '../channel/primary.js';
import { installHost, StateHost, uninstallHost } from '../state/host.js';
import { machine, oversizeWarning } from './capacity.js';
import { ControlServer } from './control/server.js';
import { LogWriter } from './logs/writer.js';
import { SingleRunner } from './single.js';
import { Supervisor } from './supervisor.js';
import { HerdApp } from './app.js';

// start(): assembles a herd in the order that makes it safe. Logs first, the
// control socket, the fleet and the shared state, the channel, the `primary`
// module (its handlers are in place before any worker can send), metrics and
// the dashboard (a taken port fails the start), and only then the workers.

/** The `primary` module's own failure, named with its file: a bad config, exit 2 from the CLI. */
async function loadPrimaryModule(file: string, timeout: number): Promise<void> {
  try {
    await importWithin(file, timeout);
  } catch (error) {
    const why = error instanceof ImportTimeout ? `${error.message} (readyTimeout)` : `failed to load: ${describeLoadError(error, file)}`;
    throw new HerdError('ERR_HERD_PRIMARY_MODULE', `the \`primary\` module ${file} ${why}`, { cause: error });
  }
}

/** Starts a herd; resolves once every worker is ready. */
export async function start(input: HerdOptions): Promise<HerdApp> {
  const options = resolveOptions(input);
  const { file, json, terminal, maxSize, maxFiles, timestamp } = options.logs;
  const logs = new LogWriter({ file, json, terminal, maxSize, maxFiles, timestamp });
  const engine = options.single ? new SingleRunner(options, logs) : new Supervisor(options, logs);
  const app = new HerdApp(options, engine, logs);

  try {
    if (options.control) {
      app.control = await ControlServer.open(options.home, options.name, {
        status: () => app.status(),
        reload: () => app.reloadReport(),
        scale: async (count) => {
          const warning = app.oversizeWarning(count);
          await app.scale(count);
          return warning;
        },
        launch: () => app.launchInfo(),
        // Answered once the workers are gone and the logs flushed; the socket closes after.
        stop: () => {
          void app.stop();
          return app.drained;
        },
        logs,
      });
    }
  } catch (error) {
    await logs.close();
    throw error;
  }
  try {
    // The channel in this process talks to the engine; with --single the
    // primary module loads as 'primary', then SingleRunner makes this process worker A.
    runtime().role = 'primary';
    // With `redis`, this herd joins its fleet before anything can use the channel or the store.
    const fleet = options.redis ? await (await import('../fleet/fleet.js')).Fleet.open(options, (text) => logs.primary(text, 'stderr')) : undefined;
    app.fleet = fleet;
    // The shared state outlives every worker, and goes with the herd.
    const state = installHost(fleet ? fleet.state : new StateHost(options.storeMaxBytes));
    engine.on('worker-exit', (info) => state.releaseOwner(info.pid));
    void app.closed.then(() => uninstallHost(state));
    if (engine instanceof Supervisor) {
      const router = bindPrimaryChannel(engine);
      fleet?.attach(router);
    } else {
      fleet?.attachNothing();
      const local = bindLocalChannel();
      engine.once('worker-ready', () => local.fireReady());
    }
    // The primary module registers its channel handlers before any worker can send.
    if (options.primary) await loadPrimaryModule(options.primary, options.readyTimeout);
    const warning = options.single ? undefined : oversizeWarning(options.workers, 0, machine());
    if (warning) logs.primary(warning, 'stderr');
    // Before the workers: a taken port fails the start, and --single's app cannot mistake it for its own server.
    await app.openMetrics();
    await app.openDashboard();
    await engine.start();
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}
