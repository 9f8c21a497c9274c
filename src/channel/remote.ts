import type { MapEntry, Outcome, Sender } from '../shared/protocol.js';

// The seam between the primary's router (this host's workers, over IPC) and
// the fleet (other hosts, over Redis: src/fleet/). The router never imports
// the fleet; the fleet never touches a worker.

/** What the router offers the fleet: this host's workers. */
export interface LocalSide {
  /** Delivers an event to one worker (`to`: its code) or to every worker (null). False: no such worker. */
  deliver(to: string | null, event: string, args: unknown[], from: Sender): boolean;
  /** A consume run by one of this host's workers. */
  run(event: string, args: unknown[], from: Sender): Promise<Outcome>;
  /** A map over this host's workers. */
  gather(event: string, args: unknown[], timeout: number, from: Sender): Promise<MapEntry[]>;
  /** Events some worker of this host listens for. */
  listening(): Set<string>;
  /** Called whenever that set may have changed. */
  onListening(listener: () => void): void;
  /** This host's workers, for the fleet's membership. */
  workers(): Array<{ code: string; pid: number; state: string }>;
}

/** What the fleet offers the router: the other hosts. */
export interface Remote {
  readonly host: string;
  /** To every worker of every other host. */
  broadcast(event: string, args: unknown[], from: Sender): void;
  /** To worker `code` of `host`; false when that host or worker is not known (now). */
  emitTo(host: string, code: string, event: string, args: unknown[], from: Sender): boolean;
  /** The entries of every other host's workers (each with its `host`). */
  map(event: string, args: unknown[], timeout: number, from: Sender): Promise<MapEntry[]>;
  /** A consume through the fleet's queue, or undefined when it should stay on this host. */
  consume(event: string, args: unknown[], timeout: number, from: Sender): Promise<Outcome> | undefined;
}

/** `'web-2/B'` → ['web-2', 'B']; a bare code or a number → undefined. */
export function splitTarget(target: string | number): [host: string, code: string] | undefined {
  if (typeof target !== 'string') return undefined;
  const slash = target.indexOf('/');
  return slash < 0 ? undefined : [target.slice(0, slash), target.slice(slash + 1)];
}
