/** The worker side of `--workers` (src/cli/workers.ts runs the primary). */

/** Messages a worker sends the primary. */
export type WorkerMessage = {
  readonly portcullis: 'ready';
  readonly ready: boolean;
  readonly pending: readonly string[];
};

/** In a worker: report readiness to the primary now and every second. */
export function reportReadiness(ready: () => { ready: boolean; pending: readonly string[] }): () => void {
  const send = () => {
    try {
      const r = ready();
      process.send?.({ portcullis: 'ready', ready: r.ready, pending: r.pending } satisfies WorkerMessage);
    } catch {
      /* the channel is closing */
    }
  };
  send();
  const t = setInterval(send, 1000);
  t.unref();
  return () => clearInterval(t);
}
