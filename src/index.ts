// The public API: what `import ... from 'herd'` gives.
export { HerdApp, type HerdAppEvents } from './primary/app.js';
export { start } from './primary/start.js';
export type { WorkerExitInfo } from './primary/supervisor.js';
export type { WorkerInfo, WorkerState } from './primary/registry.js';
export type { HerdOptions, RestartOptions, LogOptions, WorkerCount, Balancer } from './config/options.js';
export { ready, onShutdown } from './worker/api.js';
export { HerdError, ERROR_CODES, type HerdErrorCode } from './errors.js';
export { channel, Channel, type EventMap, type MapOptions, type RequestOptions, type MapEntry, type MessageInfo } from './channel/channel.js';
export type { Sender } from './shared/protocol.js';
export { store, lock, Store, type SetOptions, type LockOptions } from './state/client.js';
