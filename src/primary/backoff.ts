// Restart policy. A worker that served and then died is a crash: it is
// replaced at once and counts toward nothing. Backoff per slot and the
// crash-loop limit (more than maxRestarts within window ms) are for workers
// that die before they serve: an app that cannot boot, or dies on its first request.

export interface RestartPolicyOptions {
  minDelay: number;
  maxDelay: number;
  maxRestarts: number;
  window: number;
  minUptime: number;
}

/** What the policy needs to know of a worker that died. */
export interface Lifetime {
  /** When it became ready; undefined if it never did. */
  readyAt: number | undefined;
  /** It answered at least one request. */
  served: boolean;
}

export class RestartPolicy {
  readonly #options: RestartPolicyOptions;
  readonly #recent: number[] = [];

  constructor(options: RestartPolicyOptions) {
    this.#options = options;
  }

  /** Delay before the n-th consecutive respawn of a slot (n >= 1). */
  delay(failures: number): number {
    const { minDelay, maxDelay } = this.#options;
    const exp = Math.min(Math.max(failures - 1, 0), 30);
    return Math.min(maxDelay, minDelay * 2 ** exp);
  }

  /** Did it serve: ready and then either answered a request or stayed up minUptime ms? */
  served(worker: Lifetime, now = Date.now()): boolean {
    if (worker.readyAt === undefined) return false;
    return worker.served || now - worker.readyAt >= this.#options.minUptime;
  }

  /** Records a restart; returns true when that makes a crash loop. */
  record(now = Date.now()): boolean {
    this.#recent.push(now);
    const since = now - this.#options.window;
    while (this.#recent.length > 0 && this.#recent[0]! < since) this.#recent.shift();
    return this.#recent.length > this.#options.maxRestarts;
  }
}
