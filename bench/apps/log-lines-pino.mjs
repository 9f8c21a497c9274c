// The reference: one process writing the same lines straight to a file with
// pino's async destination. Usage: node log-lines-pino.mjs <file> <lines>
import pino from 'pino';

const [file, count] = process.argv.slice(2);
const lines = Number(count);
const pad = 'x'.repeat(60);
const dest = pino.destination({ dest: file, sync: false, minLength: 4096 });
const logger = pino({ base: undefined, timestamp: false }, dest);

const t0 = Date.now();
for (let i = 0; i < lines; i++) logger.info(`bench-line P ${i} ${pad}`);
dest.end();
dest.once('close', () => {
  process.stdout.write(`bench-pino ${t0} ${Date.now()}\n`);
});
