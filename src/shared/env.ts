// Environment variables the primary hands each worker, so a worker knows who it
// is from its first line of code.
export const ENV = {
  ROLE: 'HERD_ROLE',
  CODE: 'HERD_WORKER_CODE',
  NAME: 'HERD_NAME',
  GENERATION: 'HERD_GENERATION',
  SHUTDOWN_TIMEOUT: 'HERD_SHUTDOWN_TIMEOUT',
  /** The balancer: anything but 'os' routes the worker's TCP listens through the primary. */
  BALANCER: 'HERD_BALANCER',
  /** ms between heartbeats (health). */
  HEARTBEAT: 'HERD_HEARTBEAT_MS',
  /** maxRequests and maxRequestsJitter: the worker draws its own limit. */
  MAX_REQUESTS: 'HERD_MAX_REQUESTS',
  MAX_REQUESTS_JITTER: 'HERD_MAX_REQUESTS_JITTER',
  /** The fd of the channel's own pipe (src/shared/wire.ts). */
  CHANNEL_FD: 'HERD_CHANNEL_FD',
} as const;

/** Where the channel's pipe is in a worker: after stdin, stdout, stderr and the IPC channel. */
export const CHANNEL_FD = 4;
