import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

// Runs the real CLI in a child process with its own HERD_HOME, and cleans up
// every process it saw (primary and workers, by pid) when the test ends.

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');
export const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', name);

const tempDirs: string[] = [];
// Each test file runs in its own process: its temp dirs go when it exits.
process.once('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'herd-'): string {
  // Short paths: a Unix socket path must stay under ~100 bytes.
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until every pid is gone; there is no event for another process's death, so this polls. */
export async function waitGone(pids: number[], timeout = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeout;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Linux: the pids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the ppid comes after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // It exited while we looked.
    }
  }
  return out;
}

/** Waits until `pid` has `count` children; polls, as there is no event for another process forking. */
export async function waitChildren(pid: number, count: number, timeout = 30_000): Promise<number[]> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const children = childrenOf(pid);
    if (children.length >= count) return children;
    if (Date.now() > deadline) throw new Error(`pid ${pid} has ${children.length} children, expected ${count}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `herd <args>` to completion. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; home?: string; timeout?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...(options.home ? { HERD_HOME: options.home } : {}), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`herd ${args.join(' ')} did not finish within ${options.timeout ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, options.timeout ?? 60_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export class RunningHerd {
  readonly child: ChildProcess;
  readonly home: string;
  readonly name: string;
  output = '';
  readonly exited: Promise<Exit>;
  readonly #seen = new Set<number>();
  readonly #waiters = new Set<() => void>();

  constructor(child: ChildProcess, home: string, name: string) {
    this.child = child;
    this.home = home;
    this.name = name;
    const onData = (d: string): void => {
      this.output += d;
      for (const m of d.matchAll(/^([A-Z]+) (\d+) [|!]/gm)) this.#seen.add(Number(m[2]));
      for (const w of [...this.#waiters]) w();
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        for (const w of [...this.#waiters]) w();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Waits for output matching `pattern` (searching all output so far). */
  waitFor(pattern: RegExp, timeout = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = this.output.match(pattern);
        if (m) {
          done();
          resolve(m);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`herd exited before printing ${pattern}:\n${this.output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeout} ms waiting for ${pattern}:\n${this.output}`));
      }, timeout);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Counts matches of a global pattern in the output. */
  count(pattern: RegExp): number {
    return [...this.output.matchAll(pattern)].length;
  }

  async ready(timeout = 30_000): Promise<void> {
    await this.waitFor(/herd: ".*" ready/, timeout);
  }

  async port(): Promise<number> {
    const m = await this.waitFor(/listening on [\d.]+:(\d+)/);
    return Number(m[1]);
  }

  cli(...args: string[]): Promise<CliResult> {
    return runCli([...args, '--name', this.name], { home: this.home });
  }

  async status(): Promise<{ pid: number; generation: number; workers: Array<{ code: string; pid: number; id: number; state: string; restarts: number; generation: number; connections?: number }>; balancer?: string }> {
    const r = await this.cli('status', '--json');
    if (r.code !== 0) throw new Error(`herd status exited ${r.code}: ${r.stderr}`);
    const status = JSON.parse(r.stdout);
    for (const w of status.workers) this.#seen.add(w.pid);
    return status;
  }

  /** Every worker pid seen in the output or in a status. */
  workerPids(): number[] {
    return [...this.#seen];
  }

  signal(sig: NodeJS.Signals): void {
    process.kill(this.pid, sig);
  }

  /** Kills whatever is still running (primary first, then each worker seen), by pid. */
  async cleanup(): Promise<void> {
    if (isAlive(this.pid)) this.child.kill('SIGKILL');
    for (const pid of this.#seen) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await this.exited;
    rmSync(this.home, { recursive: true, force: true });
  }
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  name?: string;
  home?: string;
  /** Wait for the ready line (default true). */
  wait?: boolean;
}

/** Starts `herd start <args>` and registers its cleanup with the test. */
export async function startHerd(t: TestContext, args: string[], options: StartOptions = {}): Promise<RunningHerd> {
  const home = options.home ?? tempDir();
  const name = options.name ?? `t${process.pid}x${Math.random().toString(36).slice(2, 8)}`;
  const hasName = args.includes('--name');
  const child = spawn(process.execPath, [CLI, 'start', ...(hasName ? [] : ['--name', name]), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', HERD_HOME: home, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const herd = new RunningHerd(child, home, hasName ? args[args.indexOf('--name') + 1]! : name);
  t.after(() => herd.cleanup());
  if (options.wait !== false) await herd.ready();
  return herd;
}

/**
 * For a herd started in the background (`herd start -d`): every pid it
 * tracks (and every pid a last status shows) is SIGKILLed when the test ends.
 */
export function backgroundHerd(t: TestContext, home: string, name: string): { track(...pids: number[]): void; status(): Promise<CliResult> } {
  const seen = new Set<number>();
  const status = async (): Promise<CliResult> => {
    const r = await runCli(['status', '--json', '--name', name], { home });
    if (r.code === 0) {
      const s = JSON.parse(r.stdout) as { pid: number; workers: Array<{ pid: number }> };
      for (const pid of [s.pid, ...s.workers.map((w) => w.pid)]) seen.add(pid);
    }
    return r;
  };
  t.after(async () => {
    await status();
    for (const pid of seen) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await waitGone([...seen]);
  });
  return { track: (...pids) => pids.forEach((p) => seen.add(p)), status };
}

/** The last `listening on host:port` port in a text (a log file). */
export function lastPort(text: string): number {
  const all = [...text.matchAll(/listening on [\d.]+:(\d+)/g)];
  if (all.length === 0) throw new Error(`no "listening on" line in:\n${text}`);
  return Number(all.at(-1)![1]);
}
