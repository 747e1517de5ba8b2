/**
 * Real gRPC servers for the Envoy APIs the gateway calls: ext_authz v3 (`Authorization/Check`) and the
 * rate-limit service v3 (`RateLimitService/ShouldRateLimit`), on 127.0.0.1:0 with @grpc/grpc-js and
 * the protos in proto/. Each records the requests it got; the handler can be swapped per test.
 */
import * as grpc from '@grpc/grpc-js';
import { envoyServices } from '../../src/grpc/protos.js';

type Handler<Req, Res> = (req: Req) => Res | Promise<Res>;

export interface FakeGrpcService<Req, Res> {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly calls: Req[];
  handler: Handler<Req, Res>;
  close(): Promise<void>;
}

function lookup(pkg: grpc.GrpcObject, path: string): grpc.ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

async function serve<Req, Res>(
  service: string,
  method: string,
  handler: Handler<Req, Res>,
): Promise<FakeGrpcService<Req, Res>> {
  const server = new grpc.Server();
  const calls: Req[] = [];
  const out: FakeGrpcService<Req, Res> = {
    host: '',
    calls,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
  server.addService(lookup((await envoyServices()).pkg, service).service, {
    [method]: (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => {
      calls.push(call.request);
      Promise.resolve()
        .then(() => out.handler(call.request))
        .then(
          (res) => cb(null, res),
          (e: Error) => cb({ code: grpc.status.INTERNAL, details: e.message }),
        );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  (out as { host: string }).host = `127.0.0.1:${port}`;
  return out;
}

/** What the tests read of a CheckRequest (proto-loader object form, snake_case). */
export interface CheckRequestSeen {
  attributes: {
    source?: { address?: { socket_address?: { address?: string; port_value?: number } } };
    request?: { http?: { method?: string; path?: string; host?: string; headers?: Record<string, string> } };
    context_extensions?: Record<string, string>;
    metadata_context?: { filter_metadata?: Record<string, unknown> };
  };
}

export const startAuthzServer = (handler: Handler<CheckRequestSeen, unknown>) =>
  serve<CheckRequestSeen, unknown>('envoy.service.auth.v3.Authorization', 'Check', handler);

export interface RlsRequestSeen {
  domain: string;
  descriptors: { entries: { key: string; value: string }[]; hits_addend?: { value?: number } | null }[];
}

export const startRateLimitServer = (handler: Handler<RlsRequestSeen, unknown>) =>
  serve<RlsRequestSeen, unknown>('envoy.service.ratelimit.v3.RateLimitService', 'ShouldRateLimit', handler);

/** A `host:port` nothing listens on (bound, then closed). */
export async function deadHost(): Promise<string> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `127.0.0.1:${port}`;
}
