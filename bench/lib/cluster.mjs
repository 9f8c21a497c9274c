import { fileURLToPath } from 'node:url';
import { own, start, stopPids, waitFor, waitGone } from './proc.mjs';

const RAW_CLUSTER = fileURLToPath(new URL('../apps/raw-cluster.cjs', import.meta.url));

/** Raw node:cluster (round-robin) with `workers` workers running the app: the reference for herd. */
export async function startRawCluster({ app, port, workers, env = {}, respawn = false }) {
  const child = start(process.execPath, [RAW_CLUSTER, app, String(workers), ...(respawn ? ['respawn'] : [])], { label: 'raw cluster', env: { ...env, PORT: String(port) } });
  const m = await waitFor(child, /cluster ready, workers ([\d ]+)/);
  const pids = m[1].trim().split(' ').map(Number);
  for (const pid of pids) own(pid, 'raw cluster worker');
  return {
    kind: 'cluster',
    url: `http://127.0.0.1:${port}/`,
    primaryPid: child.pid,
    workerPids: pids,
    pids: () => [child.pid, ...pids],
    async stop() {
      await stopPids([child.pid]);
      const left = await waitGone(pids, 5_000);
      await stopPids(left, { signal: 'SIGKILL' });
    },
  };
}
