import { fileURLToPath } from 'node:url';
import { start, waitFor } from './proc.mjs';

const LOADGEN = fileURLToPath(new URL('./loadgen.mjs', import.meta.url));

/**
 * Runs autocannon against `url` in its own process. Resolves with the summary;
 * `started` resolves with the epoch ms at which the load began.
 */
export function load({ url, connections = 10, duration = 10, untilStopped = false, label = 'autocannon', headers }) {
  const child = start(process.execPath, [LOADGEN, JSON.stringify({ url, connections, duration, untilStopped, headers })], { label, stdin: 'pipe' });
  const started = waitFor(child, /load started (\d+)/, 30_000).then((m) => Number(m[1]));
  const result = child.exited.then(({ code, signal }) => {
    const line = child.output.split('\n').find((l) => l.startsWith('{'));
    if (code !== 0 || !line) throw new Error(`load generator failed (${code ?? signal}):\n${child.output.slice(-2000)}`);
    return JSON.parse(line);
  });
  // The caller may not await `started`; a failed run is reported through `result`.
  started.catch(() => {});
  /** With untilStopped: ends the load; `result` then resolves. */
  const stop = () => child.stdin.end('stop\n');
  return { started, result, stop };
}

/** A short unmeasured run, so JIT and connection setup are out of the measured one. */
export async function warmUp(url, seconds = 3, connections = 10) {
  await load({ url, connections, duration: seconds, label: 'warm-up' }).result;
}
