import { HerdError } from '../errors.js';
import { runtime } from '../shared/runtime.js';

/** Tells the primary this worker is ready. Only apps that never listen on a port need it. */
export function ready(): void {
  const rt = runtime();
  // Outside herd (plain `node server.js`) there is no one to tell; that is fine.
  rt.markReady?.();
}

/** Runs `fn` (it may be async) before the worker exits on stop or reload. */
export function onShutdown(fn: () => unknown): void {
  if (typeof fn !== 'function') {
    throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `onShutdown expects a function, received ${typeof fn}`);
  }
  runtime().shutdownHooks.push(fn);
}
