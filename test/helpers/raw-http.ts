/**
 * Raw HTTP over a TCP socket, for requests no HTTP client would send (bad Host, odd request-targets,
 * trickled heads and bodies). Resolves with everything the server wrote once it closes the connection
 * or `idleMs` pass without a byte.
 */
import { connect, type Socket } from 'node:net';

export interface RawReply {
  readonly text: string;
  /** Status code of the first response, or undefined when nothing parseable came back. */
  readonly status: number | undefined;
  /** The socket was closed by the server (not by our idle timer). */
  readonly closed: boolean;
}

export function parseStatus(text: string): number | undefined {
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Send `payload` (or the pieces, `gapMs` apart) and collect the reply. */
export function rawRequest(
  port: number,
  payload: string | Buffer | readonly (string | Buffer)[],
  opts: { gapMs?: number; idleMs?: number; host?: string } = {},
): Promise<RawReply> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, opts.host ?? '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let idle: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(idle);
      const text = Buffer.concat(chunks).toString('latin1');
      s.destroy();
      resolve({ text, status: parseStatus(text), closed });
    };
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(done, opts.idleMs ?? 2000);
    };
    s.on('data', (d) => {
      chunks.push(d);
      arm();
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      closed = true;
      done();
    });
    const pieces = Array.isArray(payload) ? payload : [payload as string | Buffer];
    let i = 0;
    const next = () => {
      if (s.destroyed) return;
      if (i >= pieces.length) return arm();
      s.write(pieces[i++]!);
      if (i < pieces.length) setTimeout(next, opts.gapMs ?? 0);
      else arm();
    };
    s.once('connect', next);
  });
}
