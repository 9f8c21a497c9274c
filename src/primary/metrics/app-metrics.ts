import { isHerdMessage, message } from '../../shared/protocol.js';
import { Correlator } from '../../shared/rpc.js';
import type { WorkerRecord } from '../registry.js';
import type { Supervisor } from '../supervisor.js';

// Asks every worker in service for its app's prom-client metrics (as JSON) and
// gives back what arrived within the timeout. Only ready workers are asked: a
// scrape during a reload or scale skips the ones starting or draining instead
// of failing.

export interface AppMetricsSource {
  /** One list of metrics per worker that answered in time. */
  collect(timeout: number): Promise<unknown[][]>;
}

export class ClusterAppMetrics implements AppMetricsSource {
  readonly #supervisor: Supervisor;
  readonly #pending = new Correlator<unknown[]>();

  constructor(supervisor: Supervisor) {
    this.#supervisor = supervisor;
    supervisor.on('worker-message', (_record, msg) => {
      if (isHerdMessage(msg) && msg.verb === 'metrics-reply') this.#pending.settle(msg.id, msg.metrics);
    });
  }

  collect(timeout: number): Promise<unknown[][]> {
    const asked = [...this.#supervisor.registry.live.values()].filter((r) => r.state === 'ready' && r.slot.current === r);
    return new Promise((resolve) => {
      const answers: unknown[][] = [];
      let waiting = asked.length;
      const ids: number[] = [];
      const one = (): void => {
        if (--waiting > 0) return;
        clearTimeout(timer);
        resolve(answers);
      };
      const timer = setTimeout(() => {
        for (const id of ids) this.#pending.drop(id);
        waiting = 0;
        resolve(answers);
      }, timeout);
      if (waiting === 0) return one();
      waiting++;
      for (const record of asked) this.#ask(record, ids, answers, one);
      one();
    });
  }

  #ask(record: WorkerRecord, ids: number[], answers: unknown[][], one: () => void): void {
    const id = this.#pending.open({
      settle: (metrics) => {
        if (Array.isArray(metrics)) answers.push(metrics);
        one();
      },
      expire: () => {},
    });
    ids.push(id);
    if (!this.#supervisor.post(record, message('metrics', { id }))) {
      this.#pending.drop(id);
      one();
    }
  }
}
