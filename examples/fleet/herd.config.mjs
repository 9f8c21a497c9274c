// The same file on every host: one fleet per name on one Redis.
// Each host sets HOST (or leaves it to os.hostname()) and PORT.
export default {
  script: './server.js',
  name: 'fleet-example',
  workers: 2,
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  ...(process.env.HOST ? { host: process.env.HOST } : {}),
};
