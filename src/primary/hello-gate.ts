import type { ChildProcess } from 'node:child_process';
import { isHerdMessage } from '../shared/protocol.js';

// Node drops an IPC message that reaches a child before the child has a
// 'message' listener, and a worker's preload needs some 50-80 ms after fork to
// install one. So every herd message to a worker (a shutdown above all, but
// also channel traffic and handed-over connections) waits here until the
// worker says `hello`. node:cluster's own messages pass: its listener is
// installed before any user code runs.

type Send = ChildProcess['send'];
type Callback = (error: Error | null) => void;

interface Held {
  args: unknown[];
  callback: Callback | undefined;
}

export interface HelloGate {
  /** The worker listens: send what was held, in order, and everything later at once. */
  open(): void;
  /** The worker is gone: whoever waits on a held message learns it was not sent. */
  close(): void;
}

export function holdUntilHello(child: ChildProcess): HelloGate {
  const send = child.send.bind(child) as (...args: unknown[]) => boolean;
  let held: Held[] | undefined = [];

  child.send = function gatedSend(this: ChildProcess, ...args: unknown[]): boolean {
    if (held === undefined || !isHerdMessage(args[0])) return send(...args);
    const last = args[args.length - 1];
    held.push({ args, callback: typeof last === 'function' ? (last as Callback) : undefined });
    return true;
  } as Send;

  return {
    open() {
      const queue = held;
      held = undefined;
      for (const { args } of queue ?? []) send(...args);
    },
    close() {
      const queue = held ?? [];
      // From now on node's own send reports the closed channel.
      held = undefined;
      for (const { callback } of queue) callback?.(new Error('the worker exited before it could receive the message'));
    },
  };
}
