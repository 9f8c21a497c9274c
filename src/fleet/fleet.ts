import type { ResolvedOptions } from '../config/options.js';
import type { LocalSide, Remote } from '../channel/remote.js';
import type { HerdError } from '../errors.js';
import type { MapEntry, Outcome, Sender } from '../shared/protocol.js';
import { Bus } from './bus.js';
import type { FleetMessage } from './frames.js';
import { Jobs } from './jobs.js';
import { Keys } from './keys.js';
import { Members, type HostStatus } from './members.js';
import { loadRedis, openConnections, readyGate, type Connections } from './redis.js';
import { RedisState } from './state.js';

// One herd's place in a fleet of herds (one per host) that share one Redis.
// It owns the three Redis connections, and composes the bus (pub/sub between
// hosts), the membership, consume's streams and the shared state in Redis.
// The router reaches it through the Remote seam (src/channel/remote.ts).

/** How long start() waits for Redis to answer or refuse before it goes on without it (and keeps trying). */
const CONNECT_WAIT = 15_000;
/** A map waits this much longer than its per-worker timeout for another host's answer. */
const MAP_GRACE = 1000;

export interface FleetStatus {
  host: string;
  redis: 'connected' | 'unreachable';
  /** Batches for other hosts waiting for Redis. */
  buffered: number;
  hosts: HostStatus[];
}

interface Gathering {
  waiting: Map<string, string[]>;
  entries: MapEntry[];
  done(): void;
}

export class Fleet implements Remote {
  readonly host: string;
  readonly state: RedisState;
  readonly #conns: Connections;
  readonly #bus: Bus;
  readonly #members: Members;
  readonly #jobs: Jobs;
  readonly #log: (text: string) => void;
  readonly #url: string;
  readonly #name: string;
  #local: LocalSide | undefined;
  #down = false;
  #downSince = 0;
  #listening = false;
  #beatScheduled = false;
  readonly #maps = new Map<number, Gathering>();
  #nextMap = 1;

  /**
   * Loads node-redis (ERR_HERD_REDIS_MISSING without it), connects, and takes
   * this herd's host name (ERR_HERD_HOST_TAKEN if a live herd has it). Redis
   * unreachable is not an error: the herd starts, and joins once Redis answers.
   */
  static async open(options: ResolvedOptions, log: (text: string) => void): Promise<Fleet> {
    const redis = options.redis!;
    const mod = await loadRedis();
    let fleet: Fleet | undefined;
    const conns = openConnections(mod, redis.url, (which, error) => fleet?.onError(which, error));
    fleet = new Fleet(options, conns, log);
    try {
      await fleet.#connect();
    } catch (error) {
      fleet.#destroy();
      throw error;
    }
    return fleet;
  }

  private constructor(options: ResolvedOptions, conns: Connections, log: (text: string) => void) {
    const keys = new Keys(options.redis!.prefix, options.name);
    this.host = options.host;
    this.#conns = conns;
    this.#log = log;
    this.#url = redact(options.redis!.url);
    this.#name = options.name;
    this.#bus = new Bus(conns, keys, this.host, (from, msg) => this.#receive(from, msg), (error) => this.#warn(error));
    this.#members = new Members(this.host, conns.cmd, keys, this.#bus, (error) => this.#warn(error));
    this.#jobs = new Jobs(conns, keys, this.host, this.#bus, this.#members);
    this.state = new RedisState(conns.cmd, readyGate(conns.cmd), keys, this.#bus);
    conns.cmd.on('ready', () => this.#onReady());
    conns.sub.on('ready', () => void this.#listen());
  }

  // Until Redis answers or refuses: a slow answer (a busy machine) must not
  // let this herd skip the host-name check; a refusal must not stop it starting.
  async #connect(): Promise<void> {
    const cmd = this.#conns.cmd;
    const outcome = await new Promise<'ready' | 'error' | 'slow'>((resolve) => {
      if (cmd.isReady) return resolve('ready');
      const timer = setTimeout(() => resolve('slow'), CONNECT_WAIT);
      timer.unref();
      cmd.on('ready', () => resolve('ready'));
      cmd.on('error', () => resolve('error'));
    });
    if (outcome !== 'ready') {
      if (outcome === 'slow') this.onError('cmd', new Error(`no answer within ${CONNECT_WAIT} ms`));
      return;
    }
    await this.#members.claim();
    await this.#listen();
    this.#log(`herd: host "${this.host}" of the fleet "${this.#name}" on ${this.#url}`);
  }

  async #listen(): Promise<void> {
    if (this.#listening || !this.#conns.sub.isReady) return;
    this.#listening = true;
    try {
      await this.#bus.listen();
    } catch {
      this.#listening = false;
    }
  }

  /** The router of this herd: from now on the channel reaches the fleet. */
  attach(local: LocalSide & { attachRemote(remote: Remote | undefined): void }): void {
    this.#local = local;
    local.attachRemote(this);
    local.onListening(() => this.#beatSoon());
    this.#members.start(local);
    this.#jobs.start(local);
  }

  /** Without a router (--single): the store and the lock only. */
  attachNothing(): void {
    this.#members.start(undefined);
  }

  broadcast(event: string, args: unknown[], from: Sender): void {
    this.#bus.send(null, { t: 'deliver', to: null, event, args, from: this.#from(from) });
  }

  emitTo(host: string, code: string, event: string, args: unknown[], from: Sender): boolean {
    const member = this.#members.get(host);
    if (!member?.workers.some((w) => w.code === code)) return false;
    this.#bus.send(host, { t: 'deliver', to: code, event, args, from: this.#from(from) });
    return true;
  }

  map(event: string, args: unknown[], timeout: number, from: Sender): Promise<MapEntry[]> {
    const hosts = this.#members.live();
    if (hosts.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const id = this.#nextMap++;
      const gathering: Gathering = {
        waiting: new Map(hosts.map((m) => [m.host, m.workers.map((w) => w.code)])),
        entries: [],
        done: () => {
          clearTimeout(timer);
          this.#maps.delete(id);
          // A host that did not answer: one error entry per worker it had.
          for (const [host, codes] of gathering.waiting) {
            for (const code of codes) gathering.entries.push({ code, host, error: { name: 'HerdError', code: 'ERR_HERD_TIMEOUT', message: `host ${host} did not answer "${event}" within ${timeout + MAP_GRACE} ms` } });
          }
          gathering.entries.sort((a, b) => (a.host! < b.host! ? -1 : a.host! > b.host! ? 1 : 0));
          resolve(gathering.entries);
        },
      };
      const timer = setTimeout(() => gathering.done(), timeout + MAP_GRACE);
      this.#maps.set(id, gathering);
      for (const m of hosts) this.#bus.send(m.host, { t: 'map', id, event, args, timeout, from: this.#from(from) });
    });
  }

  consume(event: string, args: unknown[], timeout: number, from: Sender): Promise<Outcome> | undefined {
    return this.#jobs.consume(event, args, timeout, from);
  }

  status(): FleetStatus {
    return { host: this.host, redis: this.#conns.cmd.isReady ? 'connected' : 'unreachable', buffered: this.#bus.waiting, hosts: this.#members.status() };
  }

  /** Leaves the fleet: says goodbye, frees the host name and this herd's locks, closes the connections. */
  async close(): Promise<void> {
    this.#jobs.stop();
    this.state.close();
    await this.#members.stop();
    // Let the goodbye and the releases go out.
    await new Promise((r) => setImmediate(r));
    await Promise.race([this.#conns.cmd.sendCommand(['PING']).catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
    this.#destroy();
  }

  /** A client's error: logged once per outage, not once per retry or per message. */
  onError(which: string, error: Error): void {
    if (this.#down) return;
    this.#down = true;
    this.#downSince = Date.now();
    this.#log(`herd: Redis at ${this.#url} is unreachable (${which}: ${error.message}); reconnecting with backoff (50 ms doubling to 2 s); messages to other hosts are buffered, store and lock calls fail after 2 s`);
  }

  #onReady(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#log(`herd: Redis at ${this.#url} is back after ${((Date.now() - this.#downSince) / 1000).toFixed(1)} s; ${this.#bus.waiting} buffered batches go out once another host answers`);
    this.#members.beat();
  }

  #warn(error: HerdError): void {
    this.#log(`herd: ${error.message} [${error.code}]`);
  }

  #destroy(): void {
    for (const client of [this.#conns.cmd, this.#conns.sub, this.#conns.block]) {
      try {
        client.destroy();
      } catch {
        // Already closed.
      }
    }
  }

  #from(from: Sender): Sender {
    return from.host ? from : { ...from, host: this.host };
  }

  // Our workers or their events changed: tell the others now, not at the next beat.
  #beatSoon(): void {
    if (this.#beatScheduled) return;
    this.#beatScheduled = true;
    setImmediate(() => {
      this.#beatScheduled = false;
      this.#members.beat();
    });
  }

  #receive(from: string, msg: FleetMessage): void {
    const local = this.#local;
    switch (msg.t) {
      case 'deliver':
        local?.deliver(msg.to, msg.event, msg.args, msg.from);
        return;
      case 'map':
        if (!local) return;
        void local.gather(msg.event, msg.args, msg.timeout, msg.from).then((entries) => {
          this.#bus.send(from, { t: 'mapped', id: msg.id, entries: entries.map((e) => ({ ...e, host: this.host })) });
          this.#bus.flush();
        });
        return;
      case 'mapped': {
        const gathering = this.#maps.get(msg.id);
        if (!gathering || !gathering.waiting.delete(from)) return;
        gathering.entries.push(...msg.entries);
        if (gathering.waiting.size === 0) gathering.done();
        return;
      }
      case 'result':
        this.#jobs.result(msg.id, msg.outcome);
        return;
      case 'member':
        this.#members.heard(msg.member);
        this.#bus.resume();
        return;
      case 'hello':
        this.#members.beat();
        return;
      case 'bye':
        this.#members.left(from);
        return;
      case 'unlocked':
        this.state.released(msg.name);
        return;
    }
  }
}

/** A URL for the log, without its password. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(the redis URL)';
  }
}
