import type { SerializedError } from '../errors.js';

// Every message herd sends over the cluster IPC channel, as one discriminated
// union: a namespace tag (`ns`) keeps them apart from node:cluster's own
// messages, prom-client's and the app's; `verb` says what it is.

export const NS = 'HERD' as const;

/** Worker → primary: this worker is ready (it called `ready()`). */
export interface ReadyMessage { ns: typeof NS; verb: 'ready' }
/** Worker → primary: an uncaught exception or rejection; replace me, I am draining. */
export interface FatalMessage { ns: typeof NS; verb: 'fatal'; error: SerializedError; kind: 'uncaughtException' | 'unhandledRejection' }
/** Primary → worker: stop taking connections, finish in-flight work, run onShutdown hooks, exit. */
export interface ShutdownMessage { ns: typeof NS; verb: 'shutdown'; reason: ShutdownReason; timeout: number }
/** Worker → primary: please run a rolling reload. */
export interface ReloadRequestMessage { ns: typeof NS; verb: 'reload' }

export type ShutdownReason = 'stop' | 'reload' | 'scale' | 'fatal';

export type HerdMessage = ReadyMessage | FatalMessage | ShutdownMessage | ReloadRequestMessage;
export type Verb = HerdMessage['verb'];
export type MessageOf<V extends Verb> = Extract<HerdMessage, { verb: V }>;

export function isHerdMessage(value: unknown): value is HerdMessage {
  return typeof value === 'object' && value !== null && (value as { ns?: unknown }).ns === NS
    && typeof (value as { verb?: unknown }).verb === 'string';
}

export function message<V extends Verb>(verb: V, body: Omit<MessageOf<V>, 'ns' | 'verb'>): MessageOf<V> {
  return { ns: NS, verb, ...body } as MessageOf<V>;
}

/** A dispatch table keyed by verb; messages with no handler are ignored. */
export type Handlers = { [V in Verb]?: (msg: MessageOf<V>) => void };

export function dispatch(handlers: Handlers, msg: HerdMessage): boolean {
  const handler = handlers[msg.verb] as ((m: HerdMessage) => void) | undefined;
  if (!handler) return false;
  handler(msg);
  return true;
}
