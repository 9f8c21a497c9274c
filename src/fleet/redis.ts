import { HerdError } from '../errors.js';

// node-redis, loaded only when `redis` is set: a herd without a fleet never
// pays for it (it is an optional peer dependency). herd speaks to it through
// this small surface, so the rest of the fleet does not depend on its types.

export interface RedisClient {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  sendCommand<T = unknown>(args: ReadonlyArray<string | Buffer>, options?: { timeout?: number; typeMapping?: object }): Promise<T>;
  subscribe(channels: string | string[], listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<void>;
  on(event: 'ready' | 'error' | 'end', listener: (error?: Error) => void): unknown;
  destroy(): void;
}

interface RedisModule {
  createClient(options: object): RedisClient;
  RESP_TYPES: { BLOB_STRING: number };
}

/** Bulk strings as Buffers: values are V8 bytes. */
export let BUFFERS: object = {};

export async function loadRedis(): Promise<RedisModule> {
  let mod: RedisModule;
  try {
    mod = (await import('redis')) as unknown as RedisModule;
  } catch (error) {
    throw new HerdError('ERR_HERD_REDIS_MISSING', '`redis` is set, but the `redis` package (node-redis) cannot be loaded: run `npm install redis` in your app', { cause: error });
  }
  BUFFERS = { [mod.RESP_TYPES.BLOB_STRING]: Buffer };
  return mod;
}

/** Reconnect delays: 50 ms doubling up to 2 s, forever (the herd outlives an outage). */
export function backoff(retries: number): number {
  return Math.min(50 * 2 ** retries, 2000);
}

export interface Connections {
  /** Commands: the store, the lock, XADD/XACK, PUBLISH. */
  cmd: RedisClient;
  /** SUBSCRIBE only. */
  sub: RedisClient;
  /** Blocking XREADGROUP only. */
  block: RedisClient;
}

/**
 * Three clients, connecting in the background. Commands fail at once while a
 * client is not connected (no offline queue: its memory would be unbounded,
 * and a call rejected for a timeout must not run later).
 */
export function openConnections(mod: RedisModule, url: string, onError: (which: string, error: Error) => void): Connections {
  const make = (which: string): RedisClient => {
    const client = mod.createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: backoff, connectTimeout: 2000 } });
    client.on('error', (error) => onError(which, error!));
    client.connect().catch(() => {});
    return client;
  };
  return { cmd: make('cmd'), sub: make('sub'), block: make('block') };
}

/** `wait(ms)`: resolves true once `client` is ready, false if it is not within `ms`. One listener for any number of waiters. */
export function readyGate(client: RedisClient): (ms: number) => Promise<boolean> {
  const waiters = new Set<(ok: boolean) => void>();
  client.on('ready', () => {
    for (const w of [...waiters]) w(true);
  });
  return (ms) => {
    if (client.isReady) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        waiters.delete(done);
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => done(client.isReady), ms);
      timer.unref();
      waiters.add(done);
    });
  };
}
