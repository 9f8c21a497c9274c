// The reference: plain node:cluster (round-robin) running the same app, no
// supervisor; with `respawn`, the naive `on('exit') → fork()` of the cluster docs.
// Usage: node raw-cluster.cjs <app> <workers> [respawn]
const cluster = require('node:cluster');
const path = require('node:path');

const [app, count, respawn] = process.argv.slice(2);
let stopping = false;

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ exec: path.resolve(app), silent: false });
  const n = Number(count);
  let listening = 0;
  for (let i = 0; i < n; i++) cluster.fork();
  cluster.on('listening', () => {
    listening++;
    if (listening === n) {
      const pids = Object.values(cluster.workers).map((w) => w.process.pid);
      console.log(`cluster ready, workers ${pids.join(' ')}`);
    }
  });
  if (respawn === 'respawn') cluster.on('exit', () => stopping || cluster.fork());
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers).length === 0) process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
