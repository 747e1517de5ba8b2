/**
 * One gRPC channel per policy service (plaintext, like agentgateway's `host:` targets) and a unary call
 * with a deadline. The channel is created at config load and closed when the snapshot is closed;
 * grpc-js connects lazily and reconnects by itself, so a service that is down at load is not an error.
 */
import type * as grpc from '@grpc/grpc-js';
import { envoyServices } from './protos.js';

/** Largest response accepted from a policy service (a check answer is a few hundred bytes). */
const MAX_RECEIVE_BYTES = 1024 * 1024;

export interface GrpcUnary<Req, Res> {
  call(req: Req, timeoutMs: number, signal?: AbortSignal): Promise<Res>;
  close(): void;
}

export class GrpcCallError extends Error {
  constructor(
    readonly grpcCode: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcCallError';
  }
}

export async function grpcUnary<Req, Res>(
  service: 'authorization' | 'rateLimit',
  host: string,
  method: string,
): Promise<GrpcUnary<Req, Res>> {
  const envoy = await envoyServices();
  const grpc = envoy.grpc;
  const client = new envoy[service](host, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
    // Fail fast instead of queueing calls while the service is unreachable.
    'grpc.enable_retries': 0,
  });
  type UnaryFn = (
    this: grpc.Client,
    r: Req,
    md: grpc.Metadata,
    o: grpc.CallOptions,
    cb: grpc.requestCallback<Res>,
  ) => grpc.ClientUnaryCall;
  const fn = (client as unknown as Record<string, UnaryFn>)[method]!;
  return {
    call(req, timeoutMs, signal) {
      return new Promise<Res>((resolve, reject) => {
        const deadline = new Date(Date.now() + timeoutMs);
        const c = fn.call(client, req, new grpc.Metadata(), { deadline }, (err, res) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(new GrpcCallError(err.code, err.details || err.message));
          else if (!res) reject(new GrpcCallError(undefined, 'empty response'));
          else resolve(res);
        });
        const onAbort = (): void => c.cancel();
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    close: () => client.close(),
  };
}
