import { EXIT } from '../errors.js';
import type { HerdApp } from '../primary/app.js';
import { Supervisor } from '../primary/supervisor.js';

// The primary's signals, installed before anything can reach the primary
// (the control socket opens while the herd boots): the default action of
// SIGTTIN and SIGTTOU stops a process, and SIGHUP's ends it. What arrives
// while the workers boot takes effect once they are up.

/** A SIGHUP that reached a worker this close to the primary's came from the whole process group. */
export const GROUP_HANGUP_WINDOW_MS = 250;

type Deferred = 'SIGHUP' | 'SIGTTIN' | 'SIGTTOU' | 'SIGUSR2';
const DEFERRED: readonly Deferred[] = ['SIGHUP', 'SIGTTIN', 'SIGTTOU', 'SIGUSR2'];

export class PrimarySignals {
  #app: HerdApp | undefined;
  #interrupts = 0;
  #forced = false;
  readonly #pending: Array<{ signal: Deferred; at: number }> = [];
  /** Worker hangups until this time belong to a SIGHUP already judged the group's. */
  #groupUntil = 0;

  constructor() {
    process.on('SIGINT', () => this.#interrupt('SIGINT'));
    process.on('SIGTERM', () => this.#interrupt('SIGTERM'));
    for (const signal of DEFERRED) process.on(signal, () => this.#deferred(signal, Date.now()));
  }

  /** The second SIGINT stopped the herd at once. */
  get forced(): boolean {
    return this.#forced;
  }

  /** The herd is up: signals act on it from now on, and those that came during boot act now. */
  bind(app: HerdApp): void {
    this.#app = app;
    if (this.#interrupts > 0) void app.stop();
    for (const { signal, at } of this.#pending.splice(0)) this.#deferred(signal, at);
  }

  #interrupt(signal: 'SIGINT' | 'SIGTERM'): void {
    this.#interrupts++;
    const app = this.#app;
    if (!app) {
      // A stop asked while the workers boot waits for them, so they too leave
      // gracefully; asked twice, it ends the primary (its workers follow it).
      if (this.#interrupts > 1) process.exit(EXIT.FAILED);
      process.stderr.write('herd: stopping once the workers are up (again to stop now)\n');
      return;
    }
    if (signal === 'SIGTERM' || this.#interrupts === 1) {
      if (this.#interrupts === 1) app.logs.primary(`herd: stopping gracefully${signal === 'SIGINT' ? ' (Ctrl-C again to stop now)' : ''}`);
      void app.stop();
      return;
    }
    this.#forced = true;
    app.kill();
  }

  #deferred(signal: Deferred, at: number): void {
    const app = this.#app;
    if (!app) {
      this.#pending.push({ signal, at });
      return;
    }
    // The supervisor logs how a reload or scale went; a signal has no one else to tell.
    const logged = (): void => {};
    switch (signal) {
      case 'SIGHUP':
        return void this.#hangup(app, at);
      case 'SIGTTIN':
        return void app.scaleBy(1, 'SIGTTIN').catch(logged);
      case 'SIGTTOU':
        return void app.scaleBy(-1, 'SIGTTOU').catch(logged);
      case 'SIGUSR2':
        // For external logrotate (SIGUSR1 is Node's inspector signal).
        try { app.logs.reopen(); } catch { /* the writer logged why; the old file stays in use */ }
        return;
    }
  }

  // Workers tell the primary when a SIGHUP reaches them. One that reached
  // them too was sent to the whole process group (a terminal that went away,
  // a shell that exited): it reloads nothing. Only one aimed at the primary reloads.
  async #hangup(app: HerdApp, at: number): Promise<void> {
    const engine = app.engine;
    if (engine instanceof Supervisor && engine.workers().length > 0) {
      // A worker's hangup answers one group SIGHUP: a SIGHUP sent to the
      // primary alone right after a group one must not be judged by it again.
      const fresh = (): number => (engine.lastWorkerHangup > this.#groupUntil ? engine.lastWorkerHangup : -Infinity);
      const wait = at + GROUP_HANGUP_WINDOW_MS - Date.now();
      if (wait > 0 && fresh() < at - GROUP_HANGUP_WINDOW_MS) await new Promise((r) => setTimeout(r, wait));
      if (Math.abs(fresh() - at) <= GROUP_HANGUP_WINDOW_MS) {
        this.#groupUntil = at + GROUP_HANGUP_WINDOW_MS;
        app.logs.primary(`herd: SIGHUP reached the whole process group (did the terminal close?): not reloading; to reload, send it to the primary alone: kill -HUP ${process.pid}`);
        return;
      }
    }
    await app.reload().catch(() => {});
  }
}
