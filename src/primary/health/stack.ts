import type WebSocket from 'ws';

// Reads the JavaScript stack of a worker whose event loop is stuck. Nothing
// inside the worker can run, but its inspector runs on a thread of its own:
// SIGUSR1 opens it (the worker was forked with --inspect-port=0, so on a free
// port of 127.0.0.1), a DevTools client asks the debugger to pause, and the
// pause reports the call frames. --report-on-signal writes nothing while the
// loop spins, and inspector.Session from a worker thread gets no answer.

interface CallFrame {
  functionName: string;
  url: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

const MAX_FRAMES = 40;

/** `urls`: script id → URL, from Debugger.scriptParsed (call frames may leave `url` empty). */
export function formatFrames(frames: CallFrame[], urls: ReadonlyMap<string, string> = new Map()): string[] {
  const lines = frames.slice(0, MAX_FRAMES).map((f) => {
    const url = f.url || urls.get(f.location.scriptId);
    const where = `${url || `<script ${f.location.scriptId}>`}:${f.location.lineNumber + 1}:${f.location.columnNumber + 1}`;
    return `    at ${f.functionName || '<anonymous>'} (${where})`;
  });
  if (frames.length > MAX_FRAMES) lines.push(`    ... ${frames.length - MAX_FRAMES} more frames`);
  return lines;
}

/** Pauses the process behind `url` (a DevTools WebSocket) and resolves with its stack, formatted. */
export async function pauseAndReadStack(url: string, timeout: number): Promise<string[]> {
  // Loaded only when a worker hangs: the primary does not carry it otherwise.
  const { default: WebSocketClient } = await import('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocketClient(url, { perMessageDeflate: false, handshakeTimeout: timeout });
    const timer = setTimeout(() => finish(new Error(`the debugger did not pause within ${timeout} ms`)), timeout);
    const finish = (error: Error | undefined, stack?: string[]): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      if (error) reject(error);
      else resolve(stack!);
    };
    ws.on('open', () => {
      ws.send(JSON.stringify({ id: 1, method: 'Debugger.enable' }));
      ws.send(JSON.stringify({ id: 2, method: 'Debugger.pause' }));
    });
    const urls = new Map<string, string>();
    ws.on('message', (data: WebSocket.RawData) => {
      let msg: { method?: string; params?: { callFrames?: CallFrame[]; scriptId?: string; url?: string } };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return;
      }
      if (msg.method === 'Debugger.scriptParsed' && msg.params?.scriptId && msg.params.url) urls.set(msg.params.scriptId, msg.params.url);
      if (msg.method === 'Debugger.paused') finish(undefined, formatFrames(msg.params?.callFrames ?? [], urls));
    });
    ws.on('error', (error) => finish(error));
    ws.on('close', () => finish(new Error('the inspector closed the connection')));
  });
}

/**
 * Opens a worker's inspector with SIGUSR1 and reads its stack, within
 * `timeout` ms in all. `inspectorUrl` resolves with the address the worker
 * prints on its stderr.
 */
export async function captureStack(pid: number, inspectorUrl: (timeout: number) => Promise<string>, timeout: number): Promise<string[]> {
  const deadline = Date.now() + timeout;
  // Listening before the signal: the address may be printed at once.
  const url = inspectorUrl(timeout);
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (error) {
    url.catch(() => {});
    throw error;
  }
  const address = await url;
  return pauseAndReadStack(address, Math.max(1, deadline - Date.now()));
}
