import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { isAlive, waitGone } from './herd.js';
import { freePort } from './http.js';

// A redis-server of the test's own, on a free port, without persistence;
// stopped by pid when the test ends. Never assumes one is running.

export class TestRedis {
  port = 0;
  #child: ChildProcess | undefined;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts it (on the same port as before, after a stop); resolves once it answers PING. */
  async start(): Promise<void> {
    const again = this.port !== 0;
    for (let attempt = 0; ; attempt++) {
      if (!again) this.port = await freePort();
      const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
      this.#child = child;
      if (await answers(this.port, child)) return;
      if (isAlive(child.pid!)) child.kill('SIGKILL');
      // Someone took the free port between our probe and redis' bind: take another.
      if (again || attempt >= 3 || !/Address already in use/.test(output)) throw new Error(`redis-server did not start on port ${this.port}:\n${output}`);
    }
  }

  /** Stops it by pid (SIGKILL: its data goes, as with a crash). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await waitGone([child.pid]);
  }
}

/** A redis-server for this test, stopped in t.after. */
export async function startRedis(t: TestContext): Promise<TestRedis> {
  const redis = new TestRedis();
  t.after(() => redis.stop());
  await redis.start();
  return redis;
}

/** PINGs until PONG (there is no event for another process' listen); false if it exited first. */
async function answers(port: number, child: ChildProcess, timeout = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const pong = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(1000, () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
    if (pong) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
