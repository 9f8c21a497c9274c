import { randomUUID } from 'node:crypto';
import { HerdError } from '../errors.js';
import type { LocalSide } from '../channel/remote.js';
import type { Bus } from './bus.js';
import type { Member } from './frames.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

// Membership: each host says who it is (its workers, the events they listen
// for) every HEARTBEAT ms over pub/sub; a host not heard from for HOST_TIMEOUT
// ms is dropped from routing (emitTo, map, consume). The host name is held in
// Redis by a key with a lease, so two live herds cannot share one.

export const HEARTBEAT = 1000;
export const HOST_TIMEOUT = 5000;

// Take the name if it is free or ours; renew the lease if ours.
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

interface Seen {
  member: Member;
  /** Our clock: clocks of other hosts may differ. */
  seenAt: number;
}

export interface HostStatus {
  host: string;
  pid: number;
  workers: number;
  codes: string[];
  /** ms since this host last heard from it. */
  lastSeen: number;
}

export class Members {
  readonly host: string;
  readonly #cmd: RedisClient;
  readonly #keys: Keys;
  readonly #bus: Bus;
  readonly #instance = randomUUID();
  readonly #others = new Map<string, Seen>();
  #local: LocalSide | undefined;
  #timer: NodeJS.Timeout | undefined;
  #claimed = false;
  #reported = false;
  #conflict: (error: HerdError) => void;

  constructor(host: string, cmd: RedisClient, keys: Keys, bus: Bus, conflict: (error: HerdError) => void) {
    this.host = host;
    this.#cmd = cmd;
    this.#keys = keys;
    this.#bus = bus;
    this.#conflict = conflict;
  }

  /**
   * Takes the host name. A herd of this host that was SIGKILLed holds it for up
   * to HOST_TIMEOUT: wait that long before refusing, so it can be restarted at once.
   */
  async claim(): Promise<void> {
    const deadline = Date.now() + HOST_TIMEOUT + HEARTBEAT;
    while (!(await this.#tryClaim().catch(() => false))) {
      if (Date.now() > deadline) {
        // Redis went away meanwhile: start without the fleet; the heartbeat claims the name once it is back.
        if (!this.#cmd.isReady) return;
        throw new HerdError('ERR_HERD_HOST_TAKEN', `another running herd of this name uses host "${this.host}" on this Redis: give this one another \`host\``);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  start(local: LocalSide | undefined): void {
    this.#local = local;
    this.#bus.send(null, { t: 'hello' });
    this.beat();
    this.#timer = setInterval(() => this.beat(), HEARTBEAT);
    this.#timer.unref();
  }

  /** Says who we are now (also when our workers or their events change). */
  beat(): void {
    void this.#tryClaim().then((ok) => {
      if (ok) this.#bus.send(null, { t: 'member', member: this.self() });
    }, () => {});
  }

  /** This herd holds its host name: it may take part (read jobs). */
  get claimed(): boolean {
    return this.#claimed;
  }

  self(): Member {
    const local = this.#local;
    return { host: this.host, pid: process.pid, workers: local?.workers() ?? [], events: local ? [...local.listening()] : [], at: Date.now() };
  }

  heard(member: Member): void {
    if (member.host !== this.host) this.#others.set(member.host, { member, seenAt: Date.now() });
  }

  left(host: string): void {
    this.#others.delete(host);
  }

  /** A live host by name. */
  get(host: string): Member | undefined {
    const seen = this.#others.get(host);
    return seen && Date.now() - seen.seenAt <= HOST_TIMEOUT ? seen.member : undefined;
  }

  /** Every other live host. */
  live(): Member[] {
    const now = Date.now();
    const out: Member[] = [];
    for (const [host, seen] of this.#others) {
      if (now - seen.seenAt <= HOST_TIMEOUT) out.push(seen.member);
      // Long gone: forget it.
      else if (now - seen.seenAt > 10 * HOST_TIMEOUT) this.#others.delete(host);
    }
    return out.sort((a, b) => (a.host < b.host ? -1 : 1));
  }

  status(): HostStatus[] {
    const now = Date.now();
    return this.live().map((m) => ({
      host: m.host, pid: m.pid, workers: m.workers.length, codes: m.workers.map((w) => w.code),
      lastSeen: now - this.#others.get(m.host)!.seenAt,
    }));
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#bus.send(null, { t: 'bye' });
    if (this.#cmd.isReady) await this.#cmd.sendCommand(['EVAL', RELEASE, '1', this.#keys.member(this.host), this.#instance], { timeout: 1000 }).catch(() => {});
  }

  async #tryClaim(): Promise<boolean> {
    if (!this.#cmd.isReady) return false;
    const ok = (await this.#cmd.sendCommand(['EVAL', CLAIM, '1', this.#keys.member(this.host), this.#instance, String(HOST_TIMEOUT)], { timeout: 2000 })) === 1;
    // Taken while Redis was away (or before it answered us): say it once; we stay out of the fleet meanwhile.
    if (!ok && this.#timer && !this.#reported) {
      this.#reported = true;
      this.#conflict(new HerdError('ERR_HERD_HOST_TAKEN', `another running herd of this name uses host "${this.host}" on this Redis: this herd stays out of the fleet until the name is free`));
    }
    if (ok) this.#reported = false;
    this.#claimed = ok;
    return ok;
  }
}
