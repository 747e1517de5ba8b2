import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  readonly host?: string;
  readonly port?: number;
}

export interface RunningServer {
  /** Base URL, e.g. `http://localhost:15000`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listen and return the URL and a close() that also ends keep-alive connections. */
export async function listen(server: Server, host: string, port: number): Promise<RunningServer> {
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host === '::' || host === '0.0.0.0' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
