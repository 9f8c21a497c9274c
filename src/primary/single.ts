import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import type { ResolvedOptions } from '../config/options.js';
import { HerdError } from '../errors.js';
import { ENV } from '../shared/env.js';
import type { HerdMessage } from '../shared/protocol.js';
import { runtime } from '../shared/runtime.js';
import { installWorker, shutdown, type WorkerTransport } from '../worker/lifecycle.js';
import type { LogWriter } from './logs/writer.js';
import { Registry, transition, type WorkerInfo, type WorkerRecord } from './registry.js';
import type { SupervisorEvents } from './supervisor.js';

// `--single`: the app runs inside the primary as worker A. Same lifecycle
// (ready, drain, onShutdown), no fork, so no respawn, reload or scale.

export class SingleRunner extends EventEmitter<SupervisorEvents> {
  readonly registry = new Registry();
  readonly #options: ResolvedOptions;
  readonly #logs: LogWriter;
  readonly #record: WorkerRecord;
  readonly #transport: WorkerTransport;
  #onReady: (() => void) | undefined;
  #onBootFail: ((error: Error) => void) | undefined;
  /** What the app asked listen() for while booting, if it did. */
  #binding: string | undefined;
  #stopped: Promise<void> | undefined;
  #resolveStopped: (() => void) | undefined;
  /** Set when the app failed after it was ready; the CLI exits 1. */
  failure: Error | undefined;

  constructor(options: ResolvedOptions, logs: LogWriter) {
    super();
    this.#options = options;
    this.#logs = logs;
    const slot = this.registry.slot(0);
    this.#record = {
      slot, code: slot.code, id: 0, pid: process.pid, generation: 1, startedAt: Date.now(),
      handle: undefined, state: 'starting', readyAt: undefined, retireReason: undefined,
      served: false,
    };
    this.registry.add(this.#record);
    this.#transport = {
      send: (msg) => this.#onMessage(msg),
      exit: (code) => this.#onExit(code),
    };
  }

  get generation(): number {
    return 1;
  }

  get stopping(): boolean {
    return this.#stopped !== undefined;
  }

  /** The app accepts its own connections here: herd does not count them. */
  connections(_id: number): number | undefined {
    return undefined;
  }

  workers(): WorkerInfo[] {
    return this.registry.info();
  }

  async start(): Promise<void> {
    const rt = runtime();
    rt.role = 'worker';
    rt.single = true;
    rt.code = 'A';
    // The app's console goes through the one writer, tagged as worker A.
    this.#logs.captureSelf('A');
    installWorker(this.#transport);
    // The same environment a forked worker gets.
    Object.assign(process.env, this.#options.env, {
      NODE_APP_INSTANCE: '0',
      [ENV.CODE]: 'A',
      [ENV.NAME]: this.#options.name,
      [ENV.GENERATION]: '1',
      [ENV.SHUTDOWN_TIMEOUT]: String(this.#options.shutdownTimeout),
    });
    process.argv = [process.argv[0]!, this.#options.script, ...this.#options.args];
    const ready = new Promise<void>((resolve, reject) => {
      this.#onReady = resolve;
      this.#onBootFail = reject;
    });
    const timer = setTimeout(() => {
      const why = this.#binding === undefined
        ? "it never listened on a port and never called ready(); an app that serves no port must call ready() (import { ready } from 'herd') once it can work"
        : `it called listen(${this.#binding}) but the server never started listening`;
      this.#onBootFail?.(new HerdError('ERR_HERD_READY_TIMEOUT', `the app was not ready within readyTimeout (${this.#options.readyTimeout} ms): ${why}`));
    }, this.#options.readyTimeout);
    try {
      // tsx's hook, registered in this process as `--import` does in a worker.
      if (this.#options.loader) await import(this.#options.loader);
      await import(pathToFileURL(this.#options.script).href);
      await ready;
    } catch (error) {
      const text = error instanceof Error && error.stack ? error.stack : String(error);
      if (!(error instanceof HerdError)) this.#logs.primary(text, 'stderr');
      throw error instanceof HerdError ? error : new HerdError('ERR_HERD_BOOT_FAILED', `the app failed while booting: ${(error as Error).message ?? error}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  #onMessage(msg: HerdMessage): void {
    if (msg.verb === 'ready' && this.#record.state === 'starting') {
      transition(this.#record, 'ready');
      this.#record.readyAt = Date.now();
      this.#onReady?.();
      this.emit('worker-ready', this.workers()[0]!);
    } else if (msg.verb === 'binding') {
      this.#binding ??= msg.target;
    } else if (msg.verb === 'listen-error' && this.#record.state === 'starting') {
      const code = msg.code ? ` [${msg.code}]` : '';
      this.#onBootFail?.(new HerdError('ERR_HERD_BOOT_FAILED', `the app cannot listen on ${msg.target}: ${msg.message}${code}`));
    } else if (msg.verb === 'fatal') {
      // Nobody can take over inside one process: drain and stop with exit code 1.
      this.failure = new HerdError('ERR_HERD_BOOT_FAILED', `the app hit ${msg.kind}: ${msg.error.message}`);
      void this.#stop('fatal', 1);
    }
  }

  #onExit(code: number): void {
    if (this.#record.state === 'exited') return;
    const wasStarting = this.#record.state === 'starting';
    const info = this.workers()[0]!;
    transition(this.#record, 'exited');
    this.registry.remove(this.#record);
    if (wasStarting) this.#onBootFail?.(new HerdError('ERR_HERD_BOOT_FAILED', `the app failed while booting (exit code ${code})`));
    this.#onBootFail = undefined;
    this.emit('worker-exit', { ...info, state: 'exited', exitCode: code, signal: null, expected: !wasStarting });
    this.#stopped ??= Promise.resolve();
    this.#resolveStopped?.();
    this.emit('stopped');
  }

  #stop(reason: 'stop' | 'fatal', code: number): Promise<void> {
    if (this.#stopped) return this.#stopped;
    this.#stopped = new Promise<void>((resolve) => { this.#resolveStopped = resolve; });
    if (this.#record.state === 'ready' || this.#record.state === 'starting') transition(this.#record, 'draining');
    void shutdown(reason, this.#transport, code);
    return this.#stopped;
  }

  stop(): Promise<void> {
    return this.#stop('stop', 0);
  }

  kill(): void {
    process.exit(1);
  }

  reload(): Promise<void> {
    return Promise.reject(new HerdError('ERR_HERD_UNSUPPORTED', 'reload is not available with --single: the app runs inside the primary'));
  }

  scale(count: number): Promise<void> {
    return Promise.reject(new HerdError('ERR_HERD_UNSUPPORTED', `scale (to ${count}) is not available with --single: the app runs inside the primary`));
  }
}
