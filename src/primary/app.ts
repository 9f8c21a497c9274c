import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { resolveOptions } from '../config/resolve.js';
import type { HerdOptions, ResolvedOptions } from '../config/options.js';
import type { StatusResult } from '../shared/control.js';
import { runtime } from '../shared/runtime.js';
import { bindLocalChannel } from '../channel/local.js';
import { bindPrimaryChannel } from '../channel/primary.js';
import { installHost, uninstallHost } from '../state/host.js';
import { ControlServer } from './control/server.js';
import { LogWriter } from './logs/writer.js';
import type { WorkerInfo } from './registry.js';
import { SingleRunner } from './single.js';
import { Supervisor, type WorkerExitInfo } from './supervisor.js';

// The public face of a running herd. The engine (Supervisor, or SingleRunner
// with --single) sits behind private fields.

export interface HerdAppEvents {
  'worker-ready': [WorkerInfo];
  'worker-exit': [WorkerExitInfo];
  reload: [{ generation: number; ok: boolean; error?: Error }];
  'crash-loop': [Error];
}

type Engine = Supervisor | SingleRunner;

export class HerdApp extends EventEmitter<HerdAppEvents> {
  readonly name: string;
  readonly options: ResolvedOptions;
  readonly startedAt = Date.now();
  readonly #engine: Engine;
  readonly #logs: LogWriter;
  #control: ControlServer | undefined;
  #stopped: Promise<void> | undefined;
  /** Resolves once the herd has stopped, whoever asked (stop(), a signal, a crash loop). */
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  /** Resolves once workers have exited and logs are flushed, before the control socket closes. */
  readonly drained: Promise<void>;
  #resolveDrained!: () => void;

  /** @internal use start() */
  constructor(options: ResolvedOptions, engine: Engine, logs: LogWriter) {
    super();
    this.name = options.name;
    this.options = options;
    this.#engine = engine;
    this.#logs = logs;
    this.closed = new Promise((resolve) => { this.#resolveClosed = resolve; });
    this.drained = new Promise((resolve) => { this.#resolveDrained = resolve; });
    engine.on('worker-ready', (info) => this.emit('worker-ready', info));
    engine.on('worker-exit', (info) => this.emit('worker-exit', info));
    engine.on('reload', (info) => this.emit('reload', info));
    engine.on('crash-loop', (error) => this.emit('crash-loop', error));
    // Whatever stops the engine (a crash loop, the app's own fatal error in --single) closes the app.
    engine.on('stopped', () => void this.stop());
  }

  /** @internal */
  get logs(): LogWriter {
    return this.#logs;
  }

  /** @internal */
  get engine(): Engine {
    return this.#engine;
  }

  /** @internal */
  set control(control: ControlServer | undefined) {
    this.#control = control;
  }

  /** Why the herd stopped itself (crash loop, or the app's fatal error with --single). */
  get failure(): Error | undefined {
    return this.#engine.failure;
  }

  workers(): WorkerInfo[] {
    return this.#engine.workers();
  }

  status(): StatusResult {
    const now = Date.now();
    return {
      name: this.name,
      pid: process.pid,
      startedAt: this.startedAt,
      generation: this.#engine.generation,
      single: this.options.single,
      ...(this.options.single ? {} : { balancer: this.options.balancer }),
      workers: this.workers().map((w) => ({ ...w, uptime: now - w.startedAt, connections: this.#engine.connections(w.id) })),
    };
  }

  /** Rolling reload; resolves when the new generation serves, rejects if it rolled back. */
  reload(): Promise<void> {
    return this.#engine.reload();
  }

  scale(count: number): Promise<void> {
    return this.#engine.scale(count);
  }

  /** @internal SIGTTIN / SIGTTOU: one worker more or less, never below one. */
  scaleBy(delta: number, source: string): Promise<void> {
    const engine = this.#engine;
    return engine instanceof Supervisor ? engine.scaleBy(delta, source) : engine.scale(delta);
  }

  /** Graceful stop; resolves when every worker has exited and every log line is written. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.#engine.stop();
      await this.#logs.close();
      this.#resolveDrained();
      await this.#control?.close();
      this.#resolveClosed();
    })();
    return this.#stopped;
  }

  /** Stop now: SIGKILL every worker. */
  kill(): void {
    this.#engine.kill();
  }
}

/** Starts a herd; resolves once every worker is ready. */
export async function start(input: HerdOptions): Promise<HerdApp> {
  const options = resolveOptions(input);
  const { file, json, terminal, maxSize, maxFiles } = options.logs;
  const logs = new LogWriter({ file, json, terminal, maxSize, maxFiles });
  const engine = options.single ? new SingleRunner(options, logs) : new Supervisor(options, logs);
  const app = new HerdApp(options, engine, logs);

  try {
    if (options.control) {
      app.control = await ControlServer.open(options.home, options.name, {
        status: () => app.status(),
        reload: () => app.reload(),
        scale: (count) => app.scale(count),
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
    // The shared state outlives every worker, and goes with the herd.
    const state = installHost(options.storeMaxBytes);
    engine.on('worker-exit', (info) => state.releaseOwner(info.pid));
    void app.closed.then(() => uninstallHost(state));
    if (engine instanceof Supervisor) bindPrimaryChannel(engine);
    else {
      const local = bindLocalChannel();
      engine.once('worker-ready', () => local.fireReady());
    }
    // The primary module registers its channel handlers before any worker can send.
    if (options.primary) await import(pathToFileURL(options.primary).href);
    await engine.start();
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}
