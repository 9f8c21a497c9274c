import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Every process a benchmark starts is registered here and stopped by pid,
// also when the script fails or is interrupted.

const owned = new Map(); // pid -> label

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  // A zombie (a daemon whose parent has not reaped it yet) is dead for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Remembers a pid this script is responsible for (a child's child, a daemon). */
export function own(pid, label) {
  if (Number.isInteger(pid) && pid > 0) owned.set(pid, label);
}

export function disown(pid) {
  owned.delete(pid);
}

/** Spawns a tracked child; its output is collected so a failure can be explained. */
export function start(cmd, args, { label = cmd, env, cwd, stdin = 'ignore', stdout = 'pipe' } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: [stdin, stdout, 'pipe'] });
  own(child.pid, label);
  child.output = '';
  const collect = (d) => {
    child.output += d;
    // Keep the tail only: a chatty app must not grow the runner's memory.
    if (child.output.length > 64_000) child.output = child.output.slice(-32_000);
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    disown(child.pid);
    resolve({ code, signal });
  }));
  return child;
}

/** Resolves with the first match of `re` in the child's output; rejects if it exits first. */
export function waitFor(child, re, timeout = 60_000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = child.output.match(re);
      if (!m) return false;
      done();
      resolve(m);
      return true;
    };
    const onData = () => check();
    const onExit = (code, signal) => {
      if (check()) return;
      done();
      reject(new Error(`${child.spawnargs.join(' ')} exited (${code ?? signal}) before printing ${re}\n${child.output.slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${child.spawnargs.join(' ')} did not print ${re} within ${timeout} ms\n${child.output.slice(-2000)}`));
    }, timeout);
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
    check();
  });
}

/** Waits until every pid is gone (no event exists for another process's death, so this polls). */
export async function waitGone(pids, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Signals the pids, waits, then SIGKILLs what is left; returns the pids that needed SIGKILL. */
export async function stopPids(pids, { signal = 'SIGTERM', timeout = 15_000 } = {}) {
  for (const pid of pids) {
    try { process.kill(pid, signal); } catch {}
  }
  const left = await waitGone(pids, timeout);
  for (const pid of left) {
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  await waitGone(left, 5_000);
  for (const pid of pids) disown(pid);
  return left;
}

/** Last resort at exit: SIGKILL whatever this script still owns. */
export function killOwned() {
  for (const pid of owned.keys()) {
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  owned.clear();
}

const cleanups = [];

/** Registers async cleanup (pm2 kill, temp dirs) to run on failure or Ctrl-C too. */
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i !== -1) cleanups.splice(i, 1);
  };
}

async function runCleanups() {
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try { await fn(); } catch (error) { console.error(`cleanup failed: ${error.message}`); }
  }
  killOwned();
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: stopping every process this benchmark started`);
    void runCleanups().finally(() => process.exit(130));
  });
}
process.on('exit', killOwned);

/** Runs main(), then the cleanups, whatever happens; sets the exit code. */
export async function main(fn) {
  try {
    await fn();
  } catch (error) {
    console.error(error.stack ?? error);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
}
