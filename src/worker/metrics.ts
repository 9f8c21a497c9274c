import { createRequire } from 'node:module';
import { message, type HerdMessage, type MetricsRequestMessage } from '../shared/protocol.js';

// Answers the primary's metrics request with the app's prom-client metrics.
// prom-client 15 itself answers only in a worker that built an
// AggregatorRegistry (prom-client issue #501); herd answers for the app's
// default registry instead, so the app needs no cluster-specific line. herd
// never loads prom-client here: it looks for the copy the app loaded.

interface PromRegistry {
  getMetricsAsJSON(): Promise<unknown[]>;
}

const cache = createRequire(import.meta.url).cache;
const PROM_CLIENT = /[\\/]node_modules[\\/]prom-client[\\/]index\.js$/;

/** The default registry of every prom-client the app has loaded (usually one). */
function appRegistries(): PromRegistry[] {
  const found = new Set<PromRegistry>();
  for (const [file, mod] of Object.entries(cache)) {
    if (!PROM_CLIENT.test(file)) continue;
    const register = (mod?.exports as { register?: Partial<PromRegistry> } | undefined)?.register;
    if (typeof register?.getMetricsAsJSON === 'function') found.add(register as PromRegistry);
  }
  return [...found];
}

/** The app's metrics as prom-client JSON (empty when the app has not loaded prom-client). */
export async function collectAppMetrics(): Promise<unknown[]> {
  const lists = await Promise.all(appRegistries().map((r) => r.getMetricsAsJSON()));
  return lists.flat();
}

export async function answerMetrics(msg: MetricsRequestMessage, send: (msg: HerdMessage) => void): Promise<void> {
  let metrics: unknown[] = [];
  try {
    metrics = await collectAppMetrics();
  } catch (error) {
    // A throwing collect() in the app: the scrape goes on without this worker's metrics.
    process.stderr.write(`herd: could not collect the app's prom-client metrics: ${(error as Error).message}\n`);
  }
  send(message('metrics-reply', { id: msg.id, metrics }));
}
