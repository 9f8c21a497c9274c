// Environment variables the primary hands each worker, so a worker knows who it
// is from its first line of code.
export const ENV = {
  ROLE: 'HERD_ROLE',
  CODE: 'HERD_WORKER_CODE',
  NAME: 'HERD_NAME',
  GENERATION: 'HERD_GENERATION',
  SHUTDOWN_TIMEOUT: 'HERD_SHUTDOWN_TIMEOUT',
} as const;
