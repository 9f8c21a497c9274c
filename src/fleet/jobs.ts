import v8 from 'node:v8';
import type { LocalSide } from '../channel/remote.js';
import type { Outcome, Sender } from '../shared/protocol.js';
import type { Bus } from './bus.js';
import { GROUP, type Keys } from './keys.js';
import type { Members } from './members.js';
import { BUFFERS, type Connections } from './redis.js';

// consume across hosts, at least once: one Redis stream per event, read by
// every host whose workers listen for it through one consumer group, so each
// entry goes to one host, which runs it on one of its workers, publishes the
// outcome to the asking host, then acknowledges and deletes it. A host renews
// the entries it runs every LEASE_RENEW ms; an entry idle for CLAIM_AFTER ms
// (its host died) is claimed by another host (XAUTOCLAIM) and run again.

export const CLAIM_AFTER = 5000;
const LEASE_RENEW = 1000;
const BLOCK = 1000;
/** Entries one host runs at a time; more wait in the stream for any host. */
const MAX_RUNNING = 128;
const READ_COUNT = 32;

interface Asked {
  resolve(outcome: Outcome): void;
  timer: NodeJS.Timeout | undefined;
}

type Fields = Buffer[];
type Entry = [id: Buffer, fields: Fields | null];

export class Jobs {
  readonly #conns: Connections;
  readonly #keys: Keys;
  readonly #host: string;
  readonly #bus: Bus;
  readonly #members: Members;
  #local: LocalSide | undefined;
  readonly #asked = new Map<number, Asked>();
  #next = 1;
  /** Entries this host runs now, by stream, with their ids. */
  readonly #running = new Map<string, Set<string>>();
  #runningCount = 0;
  readonly #groups = new Set<string>();
  #closed = false;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(conns: Connections, keys: Keys, host: string, bus: Bus, members: Members) {
    this.#conns = conns;
    this.#keys = keys;
    this.#host = host;
    this.#bus = bus;
    this.#members = members;
    // Redis may have restarted empty: make the groups again.
    conns.cmd.on('ready', () => this.#groups.clear());
  }

  start(local: LocalSide): void {
    this.#local = local;
    local.onListening(() => this.#wake?.());
    void this.#readLoop();
    this.#timer = setInterval(() => void this.#maintain(), LEASE_RENEW);
    this.#timer.unref();
  }

  /** Through the stream when another live host listens for `event` and Redis is up; else undefined. */
  consume(event: string, args: unknown[], timeout: number, from: Sender): Promise<Outcome> | undefined {
    if (!this.#conns.cmd.isReady || !this.#members.live().some((m) => m.events.includes(event))) return undefined;
    return new Promise((resolve) => {
      const id = this.#next++;
      const asked: Asked = { resolve, timer: undefined };
      const settle = (outcome: Outcome): void => {
        if (this.#asked.get(id) !== asked) return;
        this.#asked.delete(id);
        clearTimeout(asked.timer);
        resolve(outcome);
      };
      asked.resolve = settle;
      if (timeout > 0) asked.timer = setTimeout(() => settle(failure('ERR_HERD_TIMEOUT', `consume("${event}") got no answer within ${timeout} ms`)), timeout);
      this.#asked.set(id, asked);
      const data = v8.serialize({ event, args, from: { ...from, host: from.host ?? this.#host } });
      this.#conns.cmd.sendCommand(['XADD', this.#keys.jobs(event), '*', 'h', this.#host, 'i', String(id), 'd', data]).catch((error: Error) => {
        settle(failure('ERR_HERD_REDIS_UNAVAILABLE', `consume("${event}"): Redis refused the message: ${error.message}`));
      });
    });
  }

  /** A result frame from the host that ran one of ours. Settles once: a second run's result is dropped. */
  result(id: number, outcome: Outcome): void {
    this.#asked.get(id)?.resolve(outcome);
  }

  stop(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#wake?.();
    for (const [id, asked] of this.#asked) {
      this.#asked.delete(id);
      clearTimeout(asked.timer);
      asked.resolve(failure('ERR_HERD_STOPPING', 'consume: the herd is stopping'));
    }
  }

  #streams(): string[] {
    return [...(this.#local?.listening() ?? [])].map((e) => this.#keys.jobs(e));
  }

  async #readLoop(): Promise<void> {
    const { block } = this.#conns;
    while (!this.#closed) {
      const streams = this.#streams();
      if (streams.length === 0 || this.#runningCount >= MAX_RUNNING || !block.isReady || !this.#members.claimed) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, 250).unref();
        });
        continue;
      }
      try {
        await this.#ensureGroups(streams);
        const count = Math.min(READ_COUNT, MAX_RUNNING - this.#runningCount);
        const reply = await block.sendCommand<unknown>(
          ['XREADGROUP', 'GROUP', GROUP, this.#host, 'COUNT', String(count), 'BLOCK', String(BLOCK), 'STREAMS', ...streams, ...streams.map(() => '>')],
          { typeMapping: BUFFERS },
        );
        for (const [stream, entries] of byStream(reply)) for (const entry of entries) this.#run(stream, entry);
      } catch (error) {
        // NOGROUP: the stream or its group is gone (Redis restarted): make it again.
        if (/NOGROUP/.test((error as Error).message)) this.#groups.clear();
        else await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async #ensureGroups(streams: string[]): Promise<void> {
    for (const stream of streams) {
      if (this.#groups.has(stream)) continue;
      // From 0: messages sent before any host listened are run too.
      await this.#conns.cmd.sendCommand(['XGROUP', 'CREATE', stream, GROUP, '0', 'MKSTREAM']).catch((error: Error) => {
        if (!/BUSYGROUP/.test(error.message)) throw error;
      });
      this.#groups.add(stream);
    }
  }

  #run(stream: string, [idBytes, fields]: Entry): void {
    const entryId = idBytes.toString();
    // Deleted after it was read (XAUTOCLAIM says so with nil fields).
    if (!fields) return;
    let running = this.#running.get(stream);
    if (!running) this.#running.set(stream, (running = new Set()));
    if (running.has(entryId)) return;
    const f = new Map<string, Buffer>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!.toString(), fields[i + 1]!);
    let job: { event: string; args: unknown[]; from: Sender };
    try {
      job = v8.deserialize(f.get('d')!) as typeof job;
    } catch {
      void this.#done(stream, entryId);
      return;
    }
    const asker = f.get('h')?.toString() ?? '';
    const id = Number(f.get('i')?.toString());
    running.add(entryId);
    this.#runningCount++;
    void this.#local!.run(job.event, job.args, job.from).then((outcome) => {
      running.delete(entryId);
      this.#runningCount--;
      this.#wake?.();
      // Nobody here can run it after all: leave it pending, another host claims it.
      if (!outcome.ok && (outcome.error.code === 'ERR_HERD_NO_LISTENER' || outcome.error.code === 'ERR_HERD_STOPPING')) return;
      if (asker === this.#host) this.result(id, outcome);
      else {
        // The answer goes before the XACK and XDEL below: the caller waits for it, not for them.
        this.#bus.send(asker, { t: 'result', id, outcome });
        this.#bus.flush();
      }
      void this.#done(stream, entryId);
    });
  }

  #done(stream: string, entryId: string): Promise<unknown> {
    const { cmd } = this.#conns;
    return Promise.all([
      cmd.sendCommand(['XACK', stream, GROUP, entryId]),
      cmd.sendCommand(['XDEL', stream, entryId]),
    ]).catch(() => {});
  }

  /** Renews our running entries, and claims those whose host stopped renewing. */
  async #maintain(): Promise<void> {
    const { cmd } = this.#conns;
    if (this.#closed || !cmd.isReady || !this.#members.claimed) return;
    try {
      for (const [stream, ids] of this.#running) {
        if (ids.size === 0) continue;
        await cmd.sendCommand(['XCLAIM', stream, GROUP, this.#host, '0', ...ids, 'JUSTID']);
      }
      for (const stream of this.#streams()) {
        if (!this.#groups.has(stream) || this.#runningCount >= MAX_RUNNING) continue;
        const reply = await cmd.sendCommand<[Buffer, Entry[], Buffer[]?]>(
          ['XAUTOCLAIM', stream, GROUP, this.#host, String(CLAIM_AFTER), '0-0', 'COUNT', String(MAX_RUNNING - this.#runningCount)],
          { typeMapping: BUFFERS },
        );
        for (const entry of reply[1] ?? []) this.#run(stream, entry);
      }
    } catch {
      // Redis is away: the next turn tries again.
    }
  }
}

/** XREADGROUP's answer: node-redis gives an object keyed by stream (a Map or pairs in other versions). */
function byStream(reply: unknown): Array<[string, Entry[]]> {
  if (!reply) return [];
  if (Array.isArray(reply)) return reply.map(([s, e]: [Buffer, Entry[]]) => [s.toString(), e]);
  if (reply instanceof Map) return [...(reply as Map<unknown, Entry[]>)].map(([s, e]) => [String(s), e]);
  return Object.entries(reply as Record<string, Entry[]>);
}

function failure(code: string, message: string): Outcome {
  return { ok: false, error: { name: 'HerdError', message, code } };
}
