import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT } from '../errors.js';

// `herd start -d`: the same `herd start` runs again as a detached child (its
// own session, so a terminal hangup never reaches it; stdin /dev/null; stdout
// and stderr appended to the log file), and tells this process over IPC when
// every worker is ready or why it could not boot. Then this process leaves.

/** Set in the detached child's environment (and removed there at once). */
export const DAEMON_ENV = 'HERD_DAEMON_CHILD';

/** Child → launcher: the outcome of the boot. */
export type DaemonReport = { ready: string } | { error: string; exitCode: number };

export function isDaemonReport(value: unknown): value is DaemonReport {
  return typeof value === 'object' && value !== null && ('ready' in value || 'error' in value);
}

/** Runs `herd start <argv>` detached; resolves with this command's exit code once it is ready or failed. */
export function launchDaemon(argv: string[], logFile: string): Promise<number> {
  // What the primary itself prints outside the log writer (a crash of herd) lands in the log too.
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'start', ...argv], {
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  closeSync(fd);
  return new Promise((resolve) => {
    let reported = false;
    child.on('message', (msg: unknown) => {
      if (!isDaemonReport(msg) || reported) return;
      reported = true;
      if ('ready' in msg) {
        process.stdout.write(`${msg.ready}\nherd: running in the background (pid ${child.pid}), logs in ${logFile}\n`);
        resolve(EXIT.OK);
      } else {
        process.stderr.write(`${msg.error}\n`);
        resolve(msg.exitCode);
      }
      child.disconnect();
      child.unref();
    });
    child.once('exit', (code, signal) => {
      if (reported) return;
      reported = true;
      process.stderr.write(`herd: the background herd exited (${signal ? `signal ${signal}` : `code ${code}`}) before it was ready; see ${logFile}\n`);
      resolve(code === EXIT.USAGE ? EXIT.USAGE : EXIT.FAILED);
    });
  });
}
