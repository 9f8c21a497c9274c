import { HerdError } from '../errors.js';
import type { FatalMessage } from '../shared/protocol.js';
import { RestartPolicy, type RestartPolicyOptions } from './backoff.js';
import type { Slot, WorkerRecord } from './registry.js';
import type { Pool } from './rolling.js';
import type { ExitReport } from './worker-process.js';

// What herd does when a worker dies that nobody asked to go (it exited, or
// hit an uncaught error): replace it in its slot, at once if it had served,
// with backoff if it died before it served, and stop the herd on a crash
// loop. Booting a slot until its worker is ready retries the same way, so it
// lives here too. The supervisor hands these deaths over; it runs the rest.

export class Respawner {
  readonly #pool: Pool;
  readonly #restart: RestartPolicyOptions;
  readonly #policy: RestartPolicy;
  /** Tells the listeners and stops the herd. */
  readonly #crashed: (error: HerdError) => void;
  readonly #bootFailed = new Set<number>();
  #everReady = false;
  #crashError: HerdError | undefined;
  /** Why the last worker failed, for the boot-failure and crash-loop errors. */
  lastError: string | undefined;

  constructor(pool: Pool, restart: RestartPolicyOptions, crashed: (error: HerdError) => void) {
    this.#pool = pool;
    this.#restart = restart;
    this.#policy = new RestartPolicy(restart);
    this.#crashed = crashed;
  }

  /** Why the herd stopped itself (a crash loop); undefined otherwise. */
  get failure(): HerdError | undefined {
    return this.#crashError;
  }

  /** A worker became ready: from now on a boot failure is not the whole herd's. */
  ready(): void {
    this.#everReady = true;
  }

  /** A worker exited before it was ready. */
  bootFailed(slot: Slot, reason: string): void {
    this.#bootFailed.add(slot.index);
    this.lastError = reason;
  }

  /** Keeps respawning a slot (with backoff) until it is ready; fails when the herd cannot boot. */
  async bootSlot(slot: Slot): Promise<void> {
    const pool = this.#pool;
    for (;;) {
      if (pool.stopping) throw this.#stopError();
      const record = pool.spawn(slot, false);
      try {
        await pool.procs.whenReady(record);
        return;
      } catch (error) {
        if (pool.stopping) throw this.#crashError ?? error;
        // A reload put its own worker in the slot meanwhile: nothing left to boot.
        if (slot.current !== undefined && slot.current !== record) return;
        if (!this.#everReady && this.#allSlotsFailed()) {
          throw new HerdError('ERR_HERD_BOOT_FAILED', `every worker failed while booting; last error:\n${this.lastError ?? (error as Error).message}`, { cause: error });
        }
        slot.failures++;
        slot.restarts++;
        if (this.#policy.record()) {
          throw this.#crashLoop();
        }
        await new Promise((r) => setTimeout(r, this.#policy.delay(slot.failures)));
      }
    }
  }

  #allSlotsFailed(): boolean {
    return this.#pool.registry.activeSlots().every((s) => this.#bootFailed.has(s.index));
  }

  #stopError(): HerdError {
    return this.#crashError ?? new HerdError('ERR_HERD_STOPPING', 'herd is stopping');
  }

  /**
   * Counts an unexpected death in its slot. A worker that served is replaced
   * at once and resets its slot's backoff; one that died before it served
   * counts toward the crash loop. Returns the respawn delay, or undefined
   * when that death made a crash loop (the herd is stopping).
   */
  #countDeath(record: WorkerRecord): number | undefined {
    const slot = record.slot;
    slot.restarts++;
    if (this.#policy.served(record)) {
      slot.failures = 0;
      return 0;
    }
    slot.failures++;
    if (this.#policy.record()) {
      this.#crashLoop();
      return undefined;
    }
    return this.#policy.delay(slot.failures);
  }

  // The crash-loop error is logged once, where it is made.
  #logBootError = (error: Error): void => {
    if (error === this.#crashError || (error instanceof HerdError && error.code === 'ERR_HERD_STOPPING')) return;
    this.#pool.logs.primary(error.message, 'stderr');
  };

  // Replace before retire: the faulty worker waits for our word to drain. It
  // stops accepting at once when others serve; when it is the only one, it
  // keeps accepting until its replacement is ready, or the port would close.
  onFatal(record: WorkerRecord, msg: FatalMessage): void {
    const { registry, procs, logs } = this.#pool;
    if (this.#pool.stopping || record.retireReason !== undefined) return;
    const code = msg.error.code ? ` [${msg.error.code}]` : '';
    this.lastError = `worker ${record.code} (pid ${record.pid}) hit ${msg.kind}: ${msg.error.message}${code}`;
    logs.primary(`herd: ${this.lastError}; replacing it`, 'stderr');
    const slot = record.slot;
    if (slot.current !== record) {
      // A reload's replacement on probation or a worker already leaving its slot.
      procs.retire(record, 'fatal');
      return;
    }
    record.retireReason = 'fatal';
    if (this.#countDeath(record) === undefined) return;
    const othersServing = [...registry.live.values()].some((r) => r !== record && r.state === 'ready');
    // The slot is free for the replacement; the faulty worker drains outside it.
    registry.remove(record);
    registry.live.set(record.id, record);
    if (othersServing) procs.retire(record, 'fatal');
    this.bootSlot(slot).then(
      () => procs.retire(record, 'fatal'),
      (error: Error) => {
        procs.retire(record, 'fatal');
        this.#logBootError(error);
      },
    );
  }

  /** A worker exited that herd did not ask to go (the supervisor has taken it out of the table). */
  onExit(record: WorkerRecord, report: ExitReport): void {
    const { registry, logs } = this.#pool;
    // Boot failures are retried by whoever waits for the worker (start, reload, scale).
    if (report.probation || report.wasStarting) return;
    if (record.slot.current !== undefined || !registry.slots.includes(record.slot)) return;

    const slot = record.slot;
    this.lastError = `worker ${record.code} (pid ${record.pid}) exited unexpectedly with ${report.how}`;
    const delay = this.#countDeath(record);
    if (delay === undefined) return;
    logs.primary(`herd: ${this.lastError}; replacing it${delay > 0 ? ` in ${delay} ms (it died before it served)` : ''}`, 'stderr');
    const respawn = (): void => {
      slot.respawnTimer = undefined;
      if (this.#pool.stopping || slot.current || !registry.slots.includes(slot)) return;
      // Meanwhile the others took the dead worker's keep-alive clients: spread them again.
      this.bootSlot(slot).then(() => this.#pool.shed(1 / registry.slots.length), this.#logBootError);
    };
    if (delay === 0) respawn();
    else slot.respawnTimer = setTimeout(respawn, delay);
  }

  #crashLoop(): HerdError {
    if (this.#crashError) return this.#crashError;
    // `restart` needs herd restart to change, so these are the current generation's too.
    const { maxRestarts, window } = this.#restart;
    this.#crashError = new HerdError(
      'ERR_HERD_CRASH_LOOP',
      `crash loop: more than ${maxRestarts} restarts within ${window} ms; stopping. Last error:\n${this.lastError ?? 'unknown'}`,
    );
    this.#pool.logs.primary(this.#crashError.message, 'stderr');
    this.#crashed(this.#crashError);
    return this.#crashError;
  }
}
