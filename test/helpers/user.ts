import { execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';

// A second local user for the tests that need one (a HERD_HOME owned by
// someone else, a herd run without root's rights). Only root can make one:
// elsewhere the test is skipped, with the reason printed.

export interface User {
  name: string;
  uid: number;
  gid: number;
}

function run(cmd: string, args: string[]): string {
  // useradd and userdel lock /etc/passwd; another one may hold it for a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      if (attempt >= 5) throw error;
      execFileSync('sleep', ['0.5']);
    }
  }
}

/** A throwaway user removed when the test ends; undefined (test skipped) when not root. */
export function throwawayUser(t: TestContext): User | undefined {
  if (process.getuid?.() !== 0) {
    const reason = 'needs root to create a second user (useradd); not counted as a pass';
    console.log(`skipped: ${t.name}: ${reason}`);
    t.skip(reason);
    return undefined;
  }
  const name = `hrd${process.pid}${Math.random().toString(36).slice(2, 7)}`;
  run('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  t.after(() => { run('userdel', [name]); });
  return {
    name,
    uid: Number(run('id', ['-u', name]).trim()),
    gid: Number(run('id', ['-g', name]).trim()),
  };
}
