import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

// `-w auto` in a container: Node 20's os.availableParallelism() counts the CPUs
// the process may run on (affinity, cpusets) but not a CFS quota (docker
// --cpus, a Kubernetes CPU limit): measured in docs/deploy.md. Newer libuv
// (1.49+) reads the quota itself; herd reads it too, so both agree.

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** `/a/b` → `/a/b`, `/a`, `/`: a limit on any ancestor applies. */
function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return Array.from({ length: parts.length + 1 }, (_, i) => `/${parts.slice(0, parts.length - i).join('/')}`);
}

/**
 * The CPU quota of this process's cgroup in CPUs (e.g. 1.5), or undefined
 * when there is none: cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us` /
 * `cpu.cfs_period_us`, the smallest along the path to the root.
 */
export function cgroupCpuQuota(root = '/sys/fs/cgroup', procSelfCgroup = '/proc/self/cgroup'): number | undefined {
  const lines = read(procSelfCgroup)?.split('\n') ?? [];
  let quota: number | undefined;
  const consider = (q: number, period: number): void => {
    if (q > 0 && period > 0) quota = Math.min(quota ?? Infinity, q / period);
  };
  for (const line of lines) {
    const [, controllers, path] = line.split(':', 3) as [string, string | undefined, string | undefined];
    if (path === undefined || controllers === undefined) continue;
    if (controllers === '') {
      // cgroup v2: "max 100000" or "<quota> <period>".
      for (const dir of ancestors(path)) {
        const [q, period] = (read(join(root, dir, 'cpu.max')) ?? '').split(' ');
        if (q && q !== 'max') consider(Number(q), Number(period));
      }
    } else if (controllers.split(',').includes('cpu')) {
      const mount = [join(root, controllers), join(root, 'cpu')].find((m) => existsSync(m));
      if (!mount) continue;
      for (const dir of ancestors(path)) {
        const q = Number(read(join(mount, dir, 'cpu.cfs_quota_us')));
        consider(q, Number(read(join(mount, dir, 'cpu.cfs_period_us'))));
      }
    }
  }
  return quota;
}

/** CPUs this process can use: os.availableParallelism(), capped by a cgroup quota (rounded down, at least 1). */
export function availableCpus(cpus = availableParallelism(), quota = cgroupCpuQuota()): number {
  if (quota === undefined) return cpus;
  return Math.max(1, Math.min(cpus, Math.floor(quota)));
}
