import { build } from 'esbuild';
import { defineConfig } from 'tsup';

// The dashboard's page script and style, for the browser: one small bundle,
// no runtime download. Built after the ESM build (which cleans dist/ first).
const dashboardAssets = async (): Promise<void> => {
  await build({
    entryPoints: ['src/dashboard-ui/app.ts', 'src/dashboard-ui/app.css'],
    outdir: 'dist/dashboard',
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    logLevel: 'warning',
  });
};

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
    onSuccess: dashboardAssets,
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
