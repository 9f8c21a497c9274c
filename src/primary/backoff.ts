// Restart policy: exponential backoff per slot, and a crash-loop limit across
// all slots (more than maxRestarts restarts within window ms).

export interface RestartPolicyOptions {
  minDelay: number;
  maxDelay: number;
  maxRestarts: number;
  window: number;
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

  /** A worker that has run this long since it was ready has recovered: its slot's backoff resets. */
  get stableAfter(): number {
    return Math.max(this.#options.maxDelay, 1000);
  }

  /** Records a restart; returns true when that makes a crash loop. */
  record(now = Date.now()): boolean {
    this.#recent.push(now);
    const since = now - this.#options.window;
    while (this.#recent.length > 0 && this.#recent[0]! < since) this.#recent.shift();
    return this.#recent.length > this.#options.maxRestarts;
  }
}
