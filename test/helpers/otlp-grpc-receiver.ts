/**
 * A real OTLP **gRPC** trace receiver for tests: a `@grpc/grpc-js` server on port 0 serving
 * `opentelemetry.proto.collector.trace.v1.TraceService/Export`. The request bytes are the same
 * ExportTraceServiceRequest the HTTP receiver decodes (./otlp-receiver.ts), so the service is declared
 * with raw-bytes (de)serializers and needs no .proto file; the answer is an empty
 * ExportTraceServiceResponse.
 */
import { Server, ServerCredentials, type Metadata, type ServiceDefinition } from '@grpc/grpc-js';
import { createSpanWaiter, decodeExportTraceServiceRequest, type ReceivedSpan } from './otlp-receiver.js';

export interface OtlpGrpcReceiver {
  /** `http://127.0.0.1:<port>` — what `otlpEndpoint` points at. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** The metadata of every Export call (to assert `config.tracing.headers`). */
  readonly metadata: Metadata[];
  /** Resolves once `predicate(spans)` is true, or rejects after `timeoutMs`. */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const SERVICE: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
};

export async function startOtlpGrpcReceiver(): Promise<OtlpGrpcReceiver> {
  const spans: ReceivedSpan[] = [];
  const metadata: Metadata[] = [];
  const spanWaiter = createSpanWaiter(spans, 'OTLP gRPC receiver');
  const server = new Server();
  server.addService(SERVICE, {
    Export(
      call: { request: Buffer; metadata: Metadata },
      done: (err: Error | null, res?: Buffer) => void,
    ): void {
      metadata.push(call.metadata);
      try {
        spans.push(...decodeExportTraceServiceRequest(call.request));
      } catch (e) {
        done(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      done(null, Buffer.alloc(0));
      spanWaiter.notify();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    metadata,
    waitFor: spanWaiter.waitFor,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
