import type { ServerResponse } from 'node:http';

/**
 * Copies a body to a client with backpressure: when `write()` returns false the source is not read
 * again until the client drains (so an undici body stays paused upstream, and memory stays at the
 * socket's high-water mark instead of the size of the answer). A client that goes away ends the copy;
 * one whose queued bytes still exceed `maxQueued` is cut off (`onSlow`). Resolves when the body is
 * written or the copy was given up (the response is then destroyed).
 */
export async function pumpBody(
  body: AsyncIterable<Uint8Array>,
  res: ServerResponse,
  maxQueued: number,
  onSlow: () => void,
): Promise<void> {
  for await (const chunk of body) {
    if (res.destroyed) return;
    if (res.write(chunk)) continue;
    if (res.writableLength > maxQueued) {
      onSlow();
      res.destroy();
      return;
    }
    if (!(await drained(res))) return;
  }
  res.end();
}

/** True once the response drained, false when it closed first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => (): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
