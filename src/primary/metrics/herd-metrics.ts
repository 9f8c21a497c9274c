import type { Registry } from 'prom-client';
import type { SlotView } from '../health/monitor.js';
import type { WorkerInfo } from '../registry.js';

// herd's own metrics, labelled by worker code. Values are read at scrape time
// (collect), so herd does no metrics work between scrapes.

export interface HerdMetricsSource {
  slots(): SlotView[];
  workers(): WorkerInfo[];
  /** Counts of events since the herd started. */
  counts: HerdCounts;
}

export interface HerdCounts {
  hung: Map<string, number>;
  /** Keyed by `code reason`. */
  recycled: Map<string, number>;
  reloads: { ok: number; failed: number };
}

export function newCounts(): HerdCounts {
  return { hung: new Map(), recycled: new Map(), reloads: { ok: 0, failed: 0 } };
}

type Prom = typeof import('prom-client');

export function herdRegistry(prom: Prom, source: HerdMetricsSource): Registry {
  const registry = new prom.Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, read: (view: SlotView) => number | undefined): void => {
    new prom.Gauge({
      name, help, labelNames: ['worker'], registers,
      collect() {
        this.reset();
        for (const view of source.slots()) {
          const value = read(view);
          if (value !== undefined) this.set({ worker: view.code }, value);
        }
      },
    });
  };
  const counter = (name: string, help: string, read: (view: SlotView) => number): void => {
    new prom.Counter({
      name, help, labelNames: ['worker'], registers,
      collect() {
        this.reset();
        for (const view of source.slots()) this.inc({ worker: view.code }, read(view));
      },
    });
  };

  counter('herd_worker_requests_total', 'HTTP requests received by the worker in this slot, across its replacements.', (v) => v.requestsTotal);
  counter('herd_worker_restarts_total', 'Times the worker in this slot was replaced after an unexpected exit or error.', (v) => v.restarts);
  gauge('herd_worker_rss_bytes', 'Resident set size of the worker.', (v) => v.stats?.memory.rss);
  gauge('herd_worker_heap_used_bytes', 'V8 heap used by the worker.', (v) => v.stats?.memory.heapUsed);
  gauge('herd_worker_cpu_ratio', 'CPU used by the worker over the last second, as a fraction of one core.', (v) => (v.stats ? v.stats.cpu / 100 : undefined));
  gauge('herd_worker_event_loop_delay_p99_seconds', "99th percentile of the worker's event-loop delay over the last second.", (v) => (v.stats ? v.stats.eventLoopDelay.p99 / 1000 : undefined));
  gauge('herd_worker_connections', 'Connections open on the worker now.', (v) => v.stats?.connections);

  new prom.Counter({
    name: 'herd_hung_workers_total',
    help: 'Workers judged hung (no heartbeat for hangTimeout) and replaced.',
    labelNames: ['worker'],
    registers,
    collect() {
      this.reset();
      for (const [code, n] of source.counts.hung) this.inc({ worker: code }, n);
    },
  });
  new prom.Counter({
    name: 'herd_worker_recycles_total',
    help: 'Workers recycled gracefully, by reason (memory: maxMemory, requests: maxRequests, manual: replaced from the dashboard).',
    labelNames: ['worker', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const [key, n] of source.counts.recycled) {
        const [code, reason] = key.split(' ');
        this.inc({ worker: code!, reason: reason! }, n);
      }
    },
  });
  new prom.Counter({
    name: 'herd_reloads_total',
    help: 'Rolling reloads, by result (ok, or failed and rolled back).',
    labelNames: ['result'],
    registers,
    collect() {
      this.reset();
      this.inc({ result: 'ok' }, source.counts.reloads.ok);
      this.inc({ result: 'failed' }, source.counts.reloads.failed);
    },
  });
  new prom.Gauge({
    name: 'herd_workers',
    help: 'Worker processes, by state.',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      for (const state of ['starting', 'ready', 'draining']) this.set({ state }, 0);
      for (const w of source.workers()) this.inc({ state: w.state });
    },
  });
  return registry;
}
