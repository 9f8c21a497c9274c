// Node writes to a pipe asynchronously on POSIX (docs: "A note on process
// I/O"): a line still queued in the worker's memory is lost when the worker is
// SIGKILLed or calls process.exit(). Making fd 1 and 2 blocking, as Node does
// for TTYs, means a write() returns only once its bytes are in the pipe to the
// primary; a full pipe then holds the worker back, which is the backpressure
// herd wants instead of an unbounded queue in the worker.

interface BlockingHandle {
  setBlocking?(blocking: boolean): number;
}

export function makeStdioBlocking(): void {
  for (const stream of [process.stdout, process.stderr]) {
    // Files are written synchronously already; only pipes have this handle.
    const handle = (stream as unknown as { _handle?: BlockingHandle })._handle;
    handle?.setBlocking?.(true);
  }
}
