import { randomInt } from 'node:crypto';
import { ENV } from '../shared/env.js';
import { message, type HerdMessage } from '../shared/protocol.js';
import { ProcessSampler, type ProcessStats, type WorkerStats } from '../shared/stats.js';
import { onRequest, openConnections, requestCount } from './servers.js';

// The worker's heartbeat: sent from a timer, so it only goes out while the
// event loop turns; the primary judges a worker whose beats stop as hung. It
// carries the stats (CPU and loop delay are sampled once a second at most).

const STATS_EVERY_MS = 1000;

/** This worker's maxRequests: maxRequests + random(0..jitter), drawn once (gunicorn's rule); 0 = none. */
export function drawRequestLimit(env: NodeJS.ProcessEnv = process.env): number {
  const max = Number(env[ENV.MAX_REQUESTS] ?? 0);
  if (!Number.isSafeInteger(max) || max <= 0) return 0;
  const jitter = Number(env[ENV.MAX_REQUESTS_JITTER] ?? 0);
  return max + (Number.isSafeInteger(jitter) && jitter > 0 ? randomInt(jitter + 1) : 0);
}

export function startHeartbeat(send: (msg: HerdMessage) => void): void {
  const every = Number(process.env[ENV.HEARTBEAT]);
  const interval = Number.isFinite(every) && every >= 10 ? every : 1000;
  const requestLimit = drawRequestLimit();
  const sampler = new ProcessSampler();
  let sampled: ProcessStats = sampler.sample();
  let sampledAt = Date.now();

  const beat = (): void => {
    const now = Date.now();
    if (now - sampledAt >= STATS_EVERY_MS) {
      sampled = sampler.sample();
      sampledAt = now;
    }
    const stats: WorkerStats = { ...sampled, connections: openConnections(), requests: requestCount() };
    send(message('heartbeat', { stats, requestLimit }));
  };
  // The worker must be free to exit when the app is done: the beat never holds it.
  setInterval(beat, interval).unref();
  // One at once, ahead of `ready` on the same pipe: a worker has stats from the moment it serves.
  setImmediate(beat).unref();
  // At its limit the worker says so at once, so it is recycled at its count, not a beat later.
  if (requestLimit > 0) onRequest((count) => { if (count === requestLimit) beat(); });
}
