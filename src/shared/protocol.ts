import type { SerializedError } from '../errors.js';
import type { WorkerStats } from './stats.js';

// Every message herd sends over the cluster IPC channel, as one discriminated
// union: a namespace tag (`ns`) keeps them apart from node:cluster's own
// messages, prom-client's and the app's; `verb` says what it is.

export const NS = 'HERD' as const;

/** Worker → primary: the preload listens; messages sent before this would be lost, so the primary holds them. */
export interface HelloMessage { ns: typeof NS; verb: 'hello' }
/** Worker → primary: this worker is ready (it called `ready()`). */
export interface ReadyMessage { ns: typeof NS; verb: 'ready' }
/** Worker → primary: an uncaught exception or rejection; replace me, I am draining. */
export interface FatalMessage { ns: typeof NS; verb: 'fatal'; error: SerializedError; kind: 'uncaughtException' | 'unhandledRejection' }
/** Primary → worker: stop taking connections, finish in-flight work, run onShutdown hooks, exit. */
export interface ShutdownMessage { ns: typeof NS; verb: 'shutdown'; reason: ShutdownReason; timeout: number }
/** Worker → primary: please run a rolling reload. */
export interface ReloadRequestMessage { ns: typeof NS; verb: 'reload' }
/** Worker → primary, once: this worker answered its first request (it serves; a later death is a crash, not a crash loop). */
export interface AnsweredMessage { ns: typeof NS; verb: 'answered' }
/** Worker → primary: a SIGHUP reached this worker (so one that reached the primary too was sent to the whole group). */
export interface HangupMessage { ns: typeof NS; verb: 'hangup' }
/** Worker → primary, while draining: what it still holds, for the log if it must be SIGKILLed. */
export interface HoldingMessage { ns: typeof NS; verb: 'holding'; connections: number; requests: string[] }
/** Worker → primary, while booting: the app called listen() on this port or path. */
export interface BindingMessage { ns: typeof NS; verb: 'binding'; target: string }
/** Worker → primary, while booting: a server could not listen (EADDRINUSE, EACCES…); the primary ends the worker. */
export interface ListenErrorMessage { ns: typeof NS; verb: 'listen-error'; target: string; code: string | null; message: string }

export type ShutdownReason = 'stop' | 'reload' | 'scale' | 'fatal' | 'recycle';

// Health (src/worker/heartbeat.ts, src/primary/health/): the heartbeat proves
// the worker's event loop turns and carries its stats.

/** Worker → primary: my event loop turned; my stats; `requestLimit` is my maxRequests (+ jitter), 0 = none. */
export interface HeartbeatMessage { ns: typeof NS; verb: 'heartbeat'; stats: WorkerStats; requestLimit: number }
/** Primary → worker: send your app's prom-client metrics (as JSON) in a `metrics-reply` with this id. */
export interface MetricsRequestMessage { ns: typeof NS; verb: 'metrics'; id: number }
/** Worker → primary: the app's metrics (prom-client `getMetricsAsJSON()` of each registry found). */
export interface MetricsReplyMessage { ns: typeof NS; verb: 'metrics-reply'; id: number; metrics: unknown[] }

// herd's accept path (src/primary/balancing/, src/worker/accept.ts): the primary
// listens and hands each connection to the worker its balancer picks.

/** What a worker asks to listen on (node's listen arguments, TCP only). */
export interface ServeAddress { address: string | null; port: number; addressType: number; backlog: number; ipv6Only: boolean; index: number }
/** Worker → primary: listen on this address for me (answered by `served` with the same id). */
export interface ServeMessage { ns: typeof NS; verb: 'serve'; id: number; at: ServeAddress }
/** Primary → worker: the shared listener's key and address, or the errno of a failed listen. */
export interface ServedMessage { ns: typeof NS; verb: 'served'; id: number; key: string; errno: number; sockname: { address: string; family: string; port: number } | null }
/** Worker → primary: this worker no longer serves `key` (its server closed). */
export interface UnserveMessage { ns: typeof NS; verb: 'unserve'; key: string }
/** Primary → worker, with the connection's handle: `head` holds the bytes the primary read to pick (sticky by header). */
export interface ConnMessage { ns: typeof NS; verb: 'conn'; key: string; seq: number; head: Uint8Array | null }
/** Worker → primary, once a tick: connections taken or refused (the primary closes or re-deals its copies), and connections closed since. */
export interface ConnsMessage { ns: typeof NS; verb: 'conns'; accepted: number[]; refused: number[]; closed: number }
/** Primary → worker: answer the next request on this share of keep-alive connections with `Connection: close`, so new workers take load. */
export interface ShedMessage { ns: typeof NS; verb: 'shed'; share: number }

export type BalancingMessage = ServeMessage | ServedMessage | UnserveMessage | ConnMessage | ConnsMessage | ShedMessage;

// The channel (src/channel/). Workers never talk to each other directly: every
// message goes through the primary, which keeps per-pair order.

/** Who sent a channel message: a worker, or the primary (code and id null); `host` when it came from another host of the fleet. */
export interface Sender { code: string | null; id: number | null; pid: number; host?: string }
/** Where a worker's channel message goes. */
export type Route = { kind: 'primary' } | { kind: 'worker'; target: string | number } | { kind: 'all' };
/** A request's outcome, as it crosses the wire. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: SerializedError };
/** One worker's answer to a map. */
export type MapEntry = { code: string; host?: string; value: unknown } | { code: string; host?: string; error: SerializedError };
export interface Peer { code: string; id: number; pid: number }

/** Both ways: the messages queued in one tick, sent as one (size: estimated bytes, for flow control). */
export interface BatchMessage { ns: typeof NS; verb: 'batch'; msgs: HerdMessage[]; size: number }
/** Primary → worker: a batch of this many estimated bytes has been handed on; send more. */
export interface AckMessage { ns: typeof NS; verb: 'ack'; size: number }
/** Worker → primary: emit, emitTo or broadcast. */
export interface SendMessage { ns: typeof NS; verb: 'send'; event: string; args: unknown[]; to: Route }
/** Primary → worker: a channel event for this worker's handlers. */
export interface DeliverMessage { ns: typeof NS; verb: 'deliver'; event: string; args: unknown[]; from: Sender }
/** Worker → primary: consume or map, answered by a `result` with the same id. */
export interface RequestMessage { ns: typeof NS; verb: 'request'; id: number; mode: 'consume' | 'map'; event: string; args: unknown[]; timeout: number }
/** Primary → worker: run your handler for `event` and `reply` with this id. */
export interface CallMessage { ns: typeof NS; verb: 'call'; id: number; event: string; args: unknown[]; from: Sender }
/** Worker → primary: a handler's outcome for a `call`. */
export interface ReplyMessage { ns: typeof NS; verb: 'reply'; id: number; outcome: Outcome }
/** Primary → worker: a request's outcome (for map, `value` is the MapEntry list). */
export interface ResultMessage { ns: typeof NS; verb: 'result'; id: number; outcome: Outcome }
/** Worker → primary: this worker now has (on) or no longer has (off) a handler for `event`. */
export interface ListenMessage { ns: typeof NS; verb: 'listen'; event: string; on: boolean }
/** Primary → worker: the workers that can be addressed; `complete` once every slot's worker is ready. */
export interface PeersMessage { ns: typeof NS; verb: 'peers'; peers: Peer[]; codes: string[]; complete: boolean }
/** Primary → worker: an emitTo could not be delivered. */
export interface UndeliverableMessage { ns: typeof NS; verb: 'undeliverable'; event: string; error: SerializedError }

export type ChannelMessage =
  | BatchMessage | AckMessage | SendMessage | DeliverMessage | RequestMessage | CallMessage
  | ReplyMessage | ResultMessage | ListenMessage | PeersMessage | UndeliverableMessage;

export type LifecycleMessage =
  | HelloMessage | ReadyMessage | FatalMessage | ShutdownMessage | ReloadRequestMessage
  | AnsweredMessage | HangupMessage | HoldingMessage | BindingMessage | ListenErrorMessage;

// Shared state (src/state/): the store and the locks live in the primary.
// They ride the channel's batching and its `result` answers.

/**
 * A value as it crosses the wire: plain data as it is (`encoded` false, `size`
 * estimated by the sender), or, when it holds binary data, V8-serialized bytes
 * that the primary copies out of the message. A `get` answers `[value, encoded]`.
 */
export interface WireValue { value: unknown; encoded: boolean; size: number }
/** One store or lock operation; `ttl` 0 means none. */
export type StateOp =
  | { op: 'get'; key: string }
  | ({ op: 'set'; key: string; ttl: number } & WireValue)
  | { op: 'delete'; key: string }
  | { op: 'incr'; key: string; by: number }
  | { op: 'keys'; prefix: string }
  | { op: 'expire'; key: string; ttl: number }
  | { op: 'lock'; name: string; wait: number; ttl: number }
  | { op: 'unlock'; name: string; token: number };
/** Worker → primary: a state operation, answered by a `result` with the same id (id 0, for unlock: no answer). */
export interface StateMessage { ns: typeof NS; verb: 'state'; id: number; op: StateOp }

export type HealthMessage = HeartbeatMessage | MetricsRequestMessage | MetricsReplyMessage;

export type HerdMessage = LifecycleMessage | ChannelMessage | StateMessage | BalancingMessage | HealthMessage;
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
export type Handlers<C = void> = { [V in Verb]?: (msg: MessageOf<V>, context: C) => void };

export function dispatch<C>(handlers: Handlers<C>, msg: HerdMessage, context: C): boolean {
  const handler = handlers[msg.verb] as ((m: HerdMessage, c: C) => void) | undefined;
  if (!handler) return false;
  handler(msg, context);
  return true;
}
