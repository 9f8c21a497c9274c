import type { Socket } from 'node:net';
import type { ResolvedOptions } from '../config/options.js';
import { HerdError } from '../errors.js';
import { isHerdMessage, message, type FatalMessage, type HerdMessage, type HoldingMessage, type ShutdownReason } from '../shared/protocol.js';
import { holdUntilHello, type HelloGate } from './hello-gate.js';
import type { LogWriter } from './logs/writer.js';
import { transition, type Slot, type WorkerRecord } from './registry.js';
import { forkWorker } from './spawn.js';
import { CHANNEL_FD } from '../shared/env.js';
import { FrameReader } from '../shared/wire.js';

// The mechanics of one worker process: fork it with its logs attached, time
// its readiness, ask it to drain (SIGKILL at the deadline), report its exit.
// What to do about any of it is the supervisor's policy.

export interface ExitReport {
  exitCode: number | null;
  signal: string | null;
  /** It exited before it was ready. */
  wasStarting: boolean;
  /** It was a reload's replacement that never went into service. */
  probation: boolean;
  /** `code N` or `signal NAME`. */
  how: string;
  /** Why it never became ready (with its last stderr lines), when it did not. */
  reason: string;
}

export interface WorkerEvents {
  ready(record: WorkerRecord): void;
  fatal(record: WorkerRecord, msg: FatalMessage): void;
  reloadRequested(): void;
  message(record: WorkerRecord, msg: unknown): void;
  readyTimeout(record: WorkerRecord, reason: string): void;
  /** A SIGHUP reached this worker. */
  hangup(record: WorkerRecord): void;
  exit(record: WorkerRecord, report: ExitReport): void;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

interface Process {
  waiter: Waiter | undefined;
  readyTimer: NodeJS.Timeout | undefined;
  killTimer: NodeJS.Timeout | undefined;
  /** Last stderr lines, to explain a boot failure. */
  stderrTail: string[];
  probation: boolean;
  /** Holds herd messages until the worker's preload listens. */
  gate: HelloGate;
  /** What the worker said it still held while draining. */
  holding: HoldingMessage | undefined;
  /** What the app asked listen() for while booting, if it did. */
  binding: string | undefined;
  /** Why it failed to boot, when the worker said (a listen error). */
  bootError: string | undefined;
}

const TAIL_LINES = 20;
/** How long the channel's pipe is read after its worker exited. */
const CHANNEL_LINGER_MS = 1000;

function cut(holding: HoldingMessage | undefined): string {
  if (!holding) return 'whatever it was doing (it reported nothing while draining: its event loop may be blocked)';
  const requests = holding.requests.length > 0 ? `: ${holding.requests.join(', ')}` : '';
  return `${holding.connections} open connection${holding.connections === 1 ? '' : 's'}${requests}`;
}

export class WorkerProcesses {
  #options: ResolvedOptions;
  readonly #logs: LogWriter;
  readonly #events: WorkerEvents;
  readonly #procs = new WeakMap<WorkerRecord, Process>();

  constructor(options: ResolvedOptions, logs: LogWriter, events: WorkerEvents) {
    this.#options = options;
    this.#logs = logs;
    this.#events = events;
  }

  /** Options for the workers forked from now on (a reload with a new config). */
  configure(options: ResolvedOptions): void {
    this.#options = options;
  }

  /** Forks the next worker of a slot. On probation (a reload's replacement) a failure is not respawned. */
  fork(slot: Slot, generation: number, probation: boolean): WorkerRecord {
    const handle = forkWorker(this.#options, slot.code, generation, slot.index);
    const record: WorkerRecord = {
      slot,
      code: slot.code,
      id: handle.id,
      pid: handle.process.pid ?? -1,
      generation,
      startedAt: Date.now(),
      handle,
      state: 'starting',
      readyAt: undefined,
      retireReason: undefined,
      served: false,
    };
    const proc: Process = {
      waiter: undefined, readyTimer: undefined, killTimer: undefined, stderrTail: [], probation,
      gate: holdUntilHello(handle.process), holding: undefined, binding: undefined, bootError: undefined,
    };
    this.#procs.set(record, proc);

    const child = handle.process;
    if (child.stdout) this.#logs.attach(record.code, record.pid, 'stdout', child.stdout);
    if (child.stderr) {
      this.#logs.attach(record.code, record.pid, 'stderr', child.stderr);
      child.stderr.on('data', (chunk: Buffer) => {
        proc.stderrTail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        if (proc.stderrTail.length > TAIL_LINES) proc.stderrTail.splice(0, proc.stderrTail.length - TAIL_LINES);
      });
    }

    proc.readyTimer = setTimeout(() => {
      if (record.state !== 'starting') return;
      const reason = `worker ${record.code} (pid ${record.pid}) was not ready within readyTimeout (${this.#options.readyTimeout} ms): ${
        proc.binding === undefined
          ? "it never listened on a port and never called ready(); an app that serves no port must call ready() (import { ready } from 'herd') once it can work"
          : `it called listen(${proc.binding}) but the server never started listening`
      }`;
      this.#events.readyTimeout(record, reason);
      proc.waiter?.reject(new HerdError('ERR_HERD_READY_TIMEOUT', reason));
      proc.waiter = undefined;
      child.kill('SIGKILL');
    }, this.#options.readyTimeout);

    handle.on('message', (msg: unknown) => {
      if (isHerdMessage(msg)) this.#onMessage(record, msg);
      this.#events.message(record, msg);
    });
    // The channel's own pipe: its messages go where the IPC channel's go.
    const channel = child.stdio[CHANNEL_FD] as Socket | null | undefined;
    if (channel) {
      const reader = new FrameReader((msg) => this.#events.message(record, msg));
      channel.on('data', (chunk: Buffer) => reader.push(chunk));
      channel.on('error', () => {});
      // Read to its end, unless a process the worker started holds it open.
      handle.once('exit', () => setTimeout(() => channel.destroy(), CHANNEL_LINGER_MS).unref());
    }
    // A worker that goes away while we write to it: its exit event tells the rest.
    handle.on('error', () => {});
    handle.on('exit', (code: number | null, signal: string | null) => this.#onExit(record, code, signal));
    return record;
  }

  #onMessage(record: WorkerRecord, msg: HerdMessage): void {
    switch (msg.verb) {
      case 'hello':
        return this.#procs.get(record)!.gate.open();
      case 'answered':
        record.served = true;
        return;
      case 'hangup':
        return this.#events.hangup(record);
      case 'holding':
        this.#procs.get(record)!.holding = msg;
        return;
      case 'ready': {
        if (record.state !== 'starting') return;
        const proc = this.#procs.get(record)!;
        clearTimeout(proc.readyTimer);
        transition(record, 'ready');
        record.readyAt = Date.now();
        this.#events.ready(record);
        proc.waiter?.resolve();
        proc.waiter = undefined;
        return;
      }
      case 'binding': {
        const proc = this.#procs.get(record)!;
        if (record.state === 'starting') proc.binding ??= msg.target;
        return;
      }
      case 'listen-error': {
        if (record.state !== 'starting') return;
        // It cannot serve: end it now rather than at readyTimeout.
        const code = msg.code ? `${msg.code} ` : '';
        this.#procs.get(record)!.bootError = `worker ${record.code} (pid ${record.pid}) cannot listen on ${/^\d+$/.test(msg.target) ? `port ${msg.target}` : msg.target}: ${code}(${msg.message})`;
        record.handle?.process.kill('SIGKILL');
        return;
      }
      case 'fatal':
        return this.#events.fatal(record, msg);
      case 'reload':
        return this.#events.reloadRequested();
      default:
        return;
    }
  }

  #onExit(record: WorkerRecord, exitCode: number | null, signal: string | null): void {
    const proc = this.#procs.get(record)!;
    clearTimeout(proc.readyTimer);
    clearTimeout(proc.killTimer);
    proc.gate.close();
    const wasStarting = record.state === 'starting';
    const how = signal ? `signal ${signal}` : `code ${exitCode}`;
    const tail = proc.stderrTail.join('\n');
    const reason = proc.bootError ?? `worker ${record.code} (pid ${record.pid}) exited with ${how} before it was ready${tail ? `:\n${tail}` : ''}`;
    // Whoever waits for it to be ready (start, reload, scale, a respawn) learns it never will be.
    const waiter = proc.waiter;
    proc.waiter = undefined;
    transition(record, 'exited');
    this.#events.exit(record, { exitCode, signal, wasStarting, probation: proc.probation, how, reason });
    waiter?.reject(new HerdError('ERR_HERD_BOOT_FAILED', wasStarting ? reason : `worker ${record.code} (pid ${record.pid}) was retired before it was ready`));
  }

  whenReady(record: WorkerRecord): Promise<void> {
    if (record.state === 'ready') return Promise.resolve();
    if (record.state === 'exited') return Promise.reject(new HerdError('ERR_HERD_BOOT_FAILED', `worker ${record.code} (pid ${record.pid}) exited`));
    const proc = this.#procs.get(record)!;
    return new Promise<void>((resolve, reject) => {
      proc.waiter = { resolve, reject };
    });
  }

  /** The replacement went into service: from now on its failures are respawned. */
  admit(record: WorkerRecord): void {
    this.#procs.get(record)!.probation = false;
  }

  /** Its last stderr lines, to explain why it failed. */
  tail(record: WorkerRecord): string {
    return this.#procs.get(record)?.stderrTail.join('\n') ?? '';
  }

  /** Asks a worker to drain and exit; SIGKILL after shutdownTimeout. */
  retire(record: WorkerRecord, reason: ShutdownReason): void {
    // Once asked, a worker keeps its first deadline: asking again must not extend it.
    if (record.state === 'exited' || record.state === 'draining') return;
    const proc = this.#procs.get(record)!;
    record.retireReason ??= reason;
    transition(record, 'draining');
    this.#send(record, message('shutdown', { reason, timeout: this.#options.shutdownTimeout }));
    proc.killTimer = setTimeout(() => {
      this.#logs.primary(`herd: worker ${record.code} (pid ${record.pid}) did not finish within shutdownTimeout (${this.#options.shutdownTimeout} ms); SIGKILL cuts ${cut(proc.holding)}`, 'stderr');
      this.kill(record);
    }, this.#options.shutdownTimeout);
  }

  /** A hung worker cannot drain: it leaves service at once and is killed by the caller. */
  condemn(record: WorkerRecord, reason: string): void {
    if (record.state === 'exited' || record.state === 'draining') return;
    record.retireReason ??= reason;
    transition(record, 'draining');
  }

  /** Sends a message if the worker's IPC channel is open; false if it is not. */
  post(record: WorkerRecord, msg: HerdMessage): boolean {
    const child = record.handle?.process;
    if (!child?.connected) return false;
    child.send(msg, undefined, undefined, () => {});
    return true;
  }

  /** Resolves with the next `Debugger listening on ws://…` address the worker prints to stderr. */
  inspectorUrl(record: WorkerRecord, timeout: number): Promise<string> {
    const stderr = record.handle?.process.stderr;
    if (!stderr || record.state === 'exited') return Promise.reject(new Error('the worker has no stderr'));
    return new Promise((resolve, reject) => {
      let seen = '';
      const onData = (chunk: Buffer): void => {
        seen = (seen + chunk.toString('utf8')).slice(-4096);
        const m = /Debugger listening on (ws:\/\/\S+)/.exec(seen);
        if (m) done(() => resolve(m[1]!));
      };
      const onClose = (): void => done(() => reject(new Error('the worker exited')));
      const timer = setTimeout(() => done(() => reject(new Error(`its inspector did not open within ${timeout} ms`))), timeout);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        stderr.off('data', onData);
        stderr.off('close', onClose);
        settle();
      };
      stderr.on('data', onData);
      stderr.once('close', onClose);
    });
  }

  kill(record: WorkerRecord): void {
    record.handle?.process.kill('SIGKILL');
  }

  #send(record: WorkerRecord, msg: HerdMessage): void {
    const child = record.handle?.process;
    if (!child?.connected) {
      // No IPC left to ask nicely; SIGTERM makes the preload drain all the same.
      child?.kill('SIGTERM');
      return;
    }
    child.send(msg, undefined, undefined, () => {});
  }

  waitExit(record: WorkerRecord): Promise<void> {
    if (record.state === 'exited') return Promise.resolve();
    return new Promise((resolve) => record.handle!.once('exit', () => resolve()));
  }
}
