import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { availableCpus, cgroupCpuQuota } from '../../src/config/cpus.js';
import { tempDir } from '../helpers/herd.js';

function tree(files: Record<string, string>): string {
  const root = tempDir('herd-cg-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('cgroup v2: cpu.max of the process cgroup or an ancestor, the smallest', () => {
  const root = tree({
    'proc-self-cgroup': '0::/kubepods/pod1/ctr\n',
    'sys/kubepods/cpu.max': '400000 100000\n',
    'sys/kubepods/pod1/ctr/cpu.max': '150000 100000\n',
  });
  assert.equal(cgroupCpuQuota(join(root, 'sys'), join(root, 'proc-self-cgroup')), 1.5);
  const unlimited = tree({ 'proc-self-cgroup': '0::/\n', 'sys/cpu.max': 'max 100000\n' });
  assert.equal(cgroupCpuQuota(join(unlimited, 'sys'), join(unlimited, 'proc-self-cgroup')), undefined);
});

test('cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us; -1 is no quota', () => {
  const root = tree({
    'proc-self-cgroup': '4:memory:/x\n2:cpu,cpuacct:/docker/abc\n',
    'sys/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '50000\n',
    'sys/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
    'sys/cpu,cpuacct/cpu.cfs_quota_us': '-1\n',
    'sys/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
  });
  assert.equal(cgroupCpuQuota(join(root, 'sys'), join(root, 'proc-self-cgroup')), 0.5);
  assert.equal(cgroupCpuQuota(join(root, 'sys'), join(root, 'missing')), undefined);
});

test('-w auto: the CPUs, capped by the quota rounded down, at least 1', () => {
  assert.equal(availableCpus(8, undefined), 8);
  assert.equal(availableCpus(8, 2.5), 2);
  assert.equal(availableCpus(8, 0.5), 1);
  assert.equal(availableCpus(2, 16), 2);
});
