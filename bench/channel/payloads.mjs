// The payloads every channel scenario is measured with.
export const PAYLOADS = {
  small: { id: 12345, name: 'bench', tags: ['a', 'b'], at: 1700000000 }, // ~50 bytes as JSON
  // What JSON cannot carry (raw JSON IPC is left out for it): herd sends it through V8's serializer.
  rich: { at: new Date(1700000000000), seen: new Map([['a', 1], ['b', 2]]), n: 12345678901234567890n, bytes: Buffer.alloc(256, 1) },
  '64KB': 'x'.repeat(64 * 1024),
  '1MB': 'x'.repeat(1024 * 1024),
};
// Messages per throughput run, requests per latency run, and round trips
// before the latency run (so it measures the steady state, not the JIT
// warming up: the first few hundred round trips would otherwise be the p99).
export const COUNTS = {
  small: { messages: 200_000, requests: 10_000, warmup: 2_000 },
  rich: { messages: 100_000, requests: 10_000, warmup: 2_000 },
  '64KB': { messages: 5_000, requests: 1_000, warmup: 200 },
  '1MB': { messages: 300, requests: 200, warmup: 20 },
};

export function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return { p50: at(50), p99: at(99) };
}
