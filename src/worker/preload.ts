import { isHerdMessage, message } from '../shared/protocol.js';
import { runtime } from '../shared/runtime.js';
import { installWorker, shutdown, type WorkerTransport } from './lifecycle.js';
import { installWorkerChannel } from '../channel/worker.js';
import { makeStdioBlocking } from './stdio.js';
import { installAcceptPath } from './accept.js';
import { shedConnections } from './servers.js';
import { CHANNEL_FD, ENV } from '../shared/env.js';
import { Socket } from 'node:net';
import { startHeartbeat } from './heartbeat.js';
import { answerMetrics } from './metrics.js';

// Loaded with `node --import` into every worker before the app, so the app
// stays the real main module (process.argv, import.meta, require.main).

const rt = runtime();
if (rt.role === 'worker' && process.send) {
  // Before the app writes anything: a line whose write returned is in the primary's pipe.
  makeStdioBlocking();
  const transport: WorkerTransport = {
    send(msg) {
      // The primary may be gone or the channel closing; there is no one left to tell.
      if (process.connected) process.send!(msg, undefined, undefined, () => {});
    },
    exit(code) {
      process.exit(code);
    },
  };
  installWorker(transport);
  // The channel listens before the app runs, so no message from the primary is missed.
  installWorkerChannel(channelPipe());

  // herd's balancers: the primary accepts and hands this worker its connections.
  if (process.env[ENV.BALANCER] !== 'os') installAcceptPath((msg, written) => {
    if (process.connected) process.send!(msg, undefined, undefined, () => written());
    else written();
  });

  process.on('message', (msg: unknown) => {
    if (!isHerdMessage(msg)) return;
    if (msg.verb === 'shutdown') void shutdown(msg.reason, transport);
    else if (msg.verb === 'shed') shedConnections(msg.share);
    else if (msg.verb === 'metrics') void answerMetrics(msg, transport.send);
  });
  // Only now can the primary's messages be received: until it hears this, it holds them.
  transport.send(message('hello', {}));
  startHeartbeat(transport.send);
  // Ctrl-C reaches the whole process group; the primary decides how workers stop.
  process.on('SIGINT', () => {});
  // So does a terminal's hangup: the worker stays, and tells the primary, which
  // then knows its own SIGHUP was the group's and not a request to reload.
  process.on('SIGHUP', () => transport.send(message('hangup', {})));
  // A SIGTERM sent to this worker alone: leave gracefully, the primary replaces it.
  process.on('SIGTERM', () => void shutdown('stop', transport));
}

/**
 * The channel's pipe from the primary; it does not keep the worker alive (the
 * IPC channel decides that). Its variable is removed, as Node removes
 * NODE_CHANNEL_FD: a process the app forks inherits the environment, the
 * preload and perhaps the fd, and must not read the worker's messages.
 */
function channelPipe(): Socket | undefined {
  const fd = process.env[ENV.CHANNEL_FD];
  delete process.env[ENV.CHANNEL_FD];
  if (fd !== String(CHANNEL_FD)) return undefined;
  const pipe = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
  pipe.unref();
  return pipe;
}
