import v8 from 'node:v8';
import type { MapEntry, Outcome, Sender } from '../shared/protocol.js';

// What hosts say to each other over pub/sub. A frame is the messages one host
// queued for one channel in one turn of its event loop, V8-serialized (the
// structured clone data of the channel crosses hosts as it crosses IPC).

/** One host as the others see it. */
export interface Member {
  host: string;
  pid: number;
  workers: Array<{ code: string; pid: number; state: string }>;
  /** Events this host's workers listen for: where a consume can go. */
  events: string[];
  /** When the host sent this (its clock), for `herd status`. */
  at: number;
}

export type FleetMessage =
  /** To worker `to` of the receiving host, or to all of its workers (null). */
  | { t: 'deliver'; to: string | null; event: string; args: unknown[]; from: Sender }
  | { t: 'map'; id: number; event: string; args: unknown[]; timeout: number; from: Sender }
  | { t: 'mapped'; id: number; entries: MapEntry[] }
  /** A consume's outcome, to the host that asked. */
  | { t: 'result'; id: number; outcome: Outcome }
  | { t: 'member'; member: Member }
  /** A host joined: everyone sends its member record now. */
  | { t: 'hello' }
  | { t: 'bye' }
  /** A lock was released: waiters on other hosts try again. */
  | { t: 'unlocked'; name: string };

export interface Frame {
  from: string;
  msgs: FleetMessage[];
}

export function encodeFrame(frame: Frame): Buffer {
  return v8.serialize(frame);
}

export function decodeFrame(bytes: Buffer): Frame | undefined {
  try {
    const frame = v8.deserialize(bytes) as Frame;
    return typeof frame?.from === 'string' && Array.isArray(frame.msgs) ? frame : undefined;
  } catch {
    // Not herd's: something else published on the channel.
    return undefined;
  }
}
