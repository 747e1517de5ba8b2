import { setTimeout as wait } from 'node:timers/promises';

/** Wait `ms`, or less when `signal` aborts first; never rejects (callers check the signal themselves). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return wait(ms, undefined, { signal }).then(
    () => undefined,
    () => undefined,
  );
}
