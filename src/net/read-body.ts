import type { IncomingMessage } from 'node:http';

/**
 * A request body, at most `limit` bytes: rejects with `tooLarge()` as soon as more arrive (the rest is
 * left unread; node discards it after the response, or the caller closes the connection). Plain
 * 'data'/'end' listeners: an async iterator over the request costs more than the read itself for the
 * small bodies MCP and admin requests have. Shared by the MCP transport, the admin API and the OAuth
 * registration proxy.
 */
export function readBody(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (e: Error): void => {
      done();
      reject(e);
    };
    // The client went away before the body was complete.
    const onClose = (): void => {
      done();
      reject(new Error('request body aborted'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
