import { start, stopPids, waitFor } from './proc.mjs';

/** One plain `node app` process: the baseline every ratio is taken against. */
export async function startSingle({ app, port, env = {} }) {
  const child = start(process.execPath, [app], { label: 'single', env: { ...env, PORT: String(port) } });
  await waitFor(child, /listening on 127\.0\.0\.1:\d+/);
  return {
    kind: 'single',
    url: `http://127.0.0.1:${port}/`,
    primaryPid: child.pid,
    pids: () => [child.pid],
    async stop() {
      await stopPids([child.pid]);
    },
  };
}
