import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from '../errors.js';
import { logsCommand, reloadCommand, restartCommand, scaleCommand, statusCommand, stopCommand } from './commands/control.js';
import { listCommand } from './commands/list.js';
import { startCommand, type StartFlags } from './commands/start.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

// App arguments follow `--` and belong to the app, not to herd.
const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const herdArgs = dashdash === -1 ? argv : argv.slice(0, dashdash);
const appArgs = dashdash === -1 ? [] : argv.slice(dashdash + 1);

let result: Promise<number> = Promise.resolve(EXIT.OK);
const nameOption = () => new Option('--name <name>', 'instance name (default: the one herd.config.js or $HERD_HOME points to)');

const program = new Command('herd')
  .description('Run a Node.js server on every core: zero-downtime reloads, one log writer, a channel between workers.')
  .version(pkg.version, '-v, --version')
  .exitOverride()
  .showHelpAfterError('(run herd --help for usage)')
  .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `herd: ${s}` : s) });

program
  .command('start')
  .description('run <script> clustered in the foreground until stopped')
  .argument('[script]', 'the app (.js, .cjs, .mjs); or `script` in herd.config.js')
  .option('-w, --workers <n|auto>', "number of workers: 'auto' or 0 = one per CPU, -k = CPUs minus k")
  .option('--name <name>', 'instance name (default: the script base name)')
  .option('--config <file>', 'config file (default: herd.config.{js,mjs,cjs,json} in this folder)')
  .option('--log-file <path>', 'also write every log line to this file')
  .option('--shutdown-timeout <ms>', 'ms a worker may take to drain before SIGKILL')
  .option('--single', 'run the app inside the primary, no fork')
  .option('--node-args <flags>', 'node flags for every worker, e.g. "--max-old-space-size=512"')
  .option('-d, --daemon', 'run in the background: return once every worker is ready (log in $HERD_HOME/<name>.log)')
  .option('--balancer <name>', "how connections reach workers: round-robin (default), least-connections, sticky, os")
  .option('--hang-timeout <ms>', 'a worker whose event loop is stuck this long is hung: its stack is logged, it is replaced (0: off; default 30000)')
  .option('--max-memory <size>', "recycle a worker whose RSS stays above this: bytes, or '512M', '1.5G'")
  .option('--max-requests <n>', 'recycle a worker after this many requests (0: never)')
  .option('--metrics <port>', 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics')
  .option('--dashboard <port>', 'serve the web dashboard at http://127.0.0.1:<port>/ (0: any free port)')
  .option('--redis <url>', 'join the fleet of herds of this name on this Redis (redis://host:port)')
  .option('--host <name>', "this herd's name in the fleet (default: the machine's host name)")
  .usage('<script> [options] [-- <app args>]')
  .action((script: string | undefined, flags: StartFlags) => {
    result = startCommand(script, flags, herdArgs, appArgs);
  });

program
  .command('list')
  .alias('ls')
  .description('list every running herd (name, pid, workers, uptime, memory, script)')
  .option('--json', 'print JSON')
  .action((flags: { json?: boolean }) => { result = listCommand(flags); });

program
  .command('restart')
  .description('stop, then start again with the same arguments, in the background')
  .addOption(nameOption())
  .action((flags: { name?: string }) => { result = restartCommand(flags); });

program
  .command('status')
  .description('show the workers of a running herd')
  .addOption(nameOption())
  .option('--json', 'print JSON')
  .option('--watch', 'redraw the table every second until Ctrl-C')
  .action((flags: { name?: string; json?: boolean; watch?: boolean }) => { result = statusCommand(flags); });

program
  .command('reload')
  .description('rolling zero-downtime reload')
  .addOption(nameOption())
  .action((flags: { name?: string }) => { result = reloadCommand(flags); });

program
  .command('scale')
  .description('change the number of workers')
  .argument('<count>', 'the new number of workers (>= 1)')
  .addOption(nameOption())
  .action((count: string, flags: { name?: string }) => { result = scaleCommand(count, flags); });

program
  .command('stop')
  .description('stop gracefully')
  .addOption(nameOption())
  .action((flags: { name?: string }) => { result = stopCommand(flags); });

program
  .command('logs')
  .description('print (and follow) the aggregated log')
  .addOption(nameOption())
  .option('-f, --follow', 'keep printing new lines')
  .option('-n, --lines <n>', 'how many of the last lines to print', '20')
  .option('--reopen', 'close and reopen the log file (after an external logrotate moved it)')
  .action((flags: { name?: string; follow?: boolean; lines?: string; reopen?: boolean }) => { result = logsCommand(flags); });

try {
  program.parse(herdArgs, { from: 'user' });
  if (herdArgs.length === 0) program.help();
} catch (error) {
  if (error instanceof CommanderError) {
    const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    process.exit(ok ? EXIT.OK : EXIT.USAGE);
  }
  throw error;
}

const code = await result;
// Let stdout drain (it may be a pipe) before leaving.
process.stdout.write('', () => process.exit(code));
