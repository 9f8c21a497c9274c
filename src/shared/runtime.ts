import type { HerdMessage } from './protocol.js';

// Process-wide state. It lives on globalThis because one process may load
// herd twice (the ESM and the CJS build, e.g. an ESM preload and a CJS app that
// requires 'herd'); both copies must see the same worker identity and hooks.

export type Role = 'primary' | 'worker' | 'none';

export interface Runtime {
  role: Role;
  /** True when the app runs inside the primary (`--single`). */
  single: boolean;
  /** This worker's slot code, from its first line of code. */
  code: string | undefined;
  /** Sends a herd message from this worker to the primary. */
  toPrimary: ((msg: HerdMessage) => void) | undefined;
  /** Hooks registered with onShutdown(), run once before the worker exits. */
  shutdownHooks: Array<() => unknown>;
  /** Set once the worker told the primary it is ready. */
  ready: boolean;
  /** Called by ready() and by the first listening server. */
  markReady: (() => void) | undefined;
  /** Run once, when this worker becomes ready. */
  readyHooks: Array<() => void>;
  /** Called when the worker first answers a request or a channel call: it serves. */
  markServed: (() => void) | undefined;
  /** Free slots for other features (the channel) to keep their own state. */
  extensions: Map<string, unknown>;
}

const KEY = Symbol.for('herd.runtime.v1');

export function runtime(): Runtime {
  const g = globalThis as unknown as Record<symbol, Runtime | undefined>;
  let rt = g[KEY];
  if (!rt) {
    rt = {
      role: process.env.HERD_ROLE === 'worker' ? 'worker' : 'none',
      single: false,
      code: process.env.HERD_ROLE === 'worker' ? process.env.HERD_WORKER_CODE : undefined,
      toPrimary: undefined,
      shutdownHooks: [],
      ready: false,
      markReady: undefined,
      readyHooks: [],
      markServed: undefined,
      extensions: new Map(),
    };
    g[KEY] = rt;
  }
  return rt;
}
