import { ProcessSampler, type ProcessStats, type WorkerStats } from '../../shared/stats.js';
import { openConnections, requestCount } from '../../worker/servers.js';
import type { SlotView } from './monitor.js';

// --single: the app is worker A inside the primary, so its stats are the
// process's own, read when asked. No heartbeat: a process cannot judge its own hang.

const FRESH_MS = 1000;

export class LocalHealth {
  readonly #sampler = new ProcessSampler();
  #last: ProcessStats | undefined;
  #at = 0;

  #sample(): ProcessStats {
    if (!this.#last || Date.now() - this.#at >= FRESH_MS) {
      this.#last = this.#sampler.sample();
      this.#at = Date.now();
    }
    return this.#last;
  }

  stats(): WorkerStats {
    return { ...this.#sample(), connections: openConnections(), requests: requestCount() };
  }

  primaryStats(): ProcessStats {
    return this.#sample();
  }

  slots(): SlotView[] {
    const stats = this.stats();
    return [{ code: 'A', stats, requestsTotal: stats.requests, restarts: 0 }];
  }

  stop(): void {
    this.#sampler.stop();
  }
}
