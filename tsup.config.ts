import { defineConfig } from 'tsup';

// ESM: the library, the CLI and the worker preload in one build, so they share
// chunks (one module instance per process). CJS: the library and herd/session, for require().
// Both copies keep their process-wide state on globalThis (src/shared/runtime.ts).
export default defineConfig([
  {
    entry: { index: 'src/index.ts', session: 'src/session.ts', cli: 'src/cli/main.ts', preload: 'src/worker/preload.ts' },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts', session: 'src/session.ts' } },
    target: 'node20',
    platform: 'node',
    splitting: true,
    clean: true,
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    entry: { index: 'src/index.ts', session: 'src/session.ts' },
    format: ['cjs'],
    dts: { entry: { index: 'src/index.ts', session: 'src/session.ts' } },
    target: 'node20',
    platform: 'node',
    shims: true,
  },
]);
