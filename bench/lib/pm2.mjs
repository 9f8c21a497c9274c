import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { disown, isAlive, onCleanup, own, stopPids, waitGone } from './proc.mjs';

const PM2 = fileURLToPath(new URL('../../node_modules/pm2/bin/pm2', import.meta.url));
const run = promisify(execFile);

/**
 * PM2 cluster mode with its own PM2_HOME in a temp dir, so it never touches a
 * user's PM2. `stop()` runs `pm2 kill` and checks the daemon and apps are gone.
 */
export async function startPm2({ app, port, workers, env = {}, name = 'bench', logFile }) {
  const home = mkdtempSync(join(tmpdir(), 'pm2-bench-'));
  const pm2Env = { ...process.env, ...env, PM2_HOME: home, ...(port ? { PORT: String(port) } : {}) };
  const pm2 = (...args) => run(process.execPath, [PM2, ...args], { env: pm2Env, maxBuffer: 16 * 2 ** 20 });
  const seen = new Set();

  const jlist = async () => {
    const { stdout } = await pm2('jlist');
    const list = JSON.parse(stdout.slice(stdout.indexOf('[')));
    for (const p of list) if (p.pid) { seen.add(p.pid); own(p.pid, 'pm2 app'); }
    return list;
  };
  const daemonPid = () => {
    try { return Number(readFileSync(join(home, 'pm2.pid'), 'utf8')); } catch { return undefined; }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const daemon = daemonPid();
    try { await jlist(); } catch {}
    try { await pm2('kill'); } catch (error) { console.error(`pm2 kill failed: ${error.message}`); }
    const pids = [...seen, ...(daemon ? [daemon] : [])];
    const left = await waitGone(pids, 10_000);
    await stopPids(left, { signal: 'SIGKILL' });
    for (const pid of pids) disown(pid);
    rmSync(home, { recursive: true, force: true });
    if (daemon && isAlive(daemon)) throw new Error(`PM2 daemon ${daemon} is still alive after pm2 kill`);
    if (left.length > 0) throw new Error(`pm2 kill left processes behind: ${left.join(' ')} (SIGKILLed)`);
  };
  // Also on failure or Ctrl-C: never leave a PM2 daemon behind.
  const unregister = onCleanup(stop);

  const args = ['start', app, '-i', String(workers), '--name', name, '--merge-logs'];
  if (logFile) args.push('-o', logFile, '-e', `${logFile}.err`);
  else args.push('-o', '/dev/null', '-e', '/dev/null');
  await pm2(...args);
  const daemon = daemonPid();
  own(daemon, 'pm2 daemon');

  // pm2 start returns once the processes are forked; wait until all are online and answering.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = await jlist();
    const online = list.filter((p) => p.pm2_env.status === 'online').length;
    if (online === workers && (!port || await answers(port))) break;
    if (Date.now() > deadline) throw new Error(`PM2: ${online}/${workers} online after 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    kind: 'pm2',
    url: port ? `http://127.0.0.1:${port}/` : undefined,
    primaryPid: daemon,
    // The daemon and the apps it forked (as last listed).
    pids: () => [daemon, ...seen],
    home,
    pm2,
    jlist,
    async stop() {
      unregister();
      await stop();
    },
  };
}

async function answers(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
