/**
 * The Envoy gRPC service definitions (proto/*.proto, see proto/README.md), loaded on first use only:
 * @grpc/grpc-js and the proto loader are imported dynamically, so a gateway whose config has no
 * extAuthz / remoteRateLimit never loads them (the CLI bundle keeps them in a separate chunk). This
 * file sits two folders below the package root (like src/app/version.ts), so the same relative URL
 * finds proto/ from src/ (tsx) and from the bundle in dist/cli/.
 */
import { fileURLToPath } from 'node:url';
import type * as Grpc from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';

const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

export type GrpcModule = typeof Grpc;
export type ServiceCtor = Grpc.ServiceClientConstructor;

export interface EnvoyServices {
  readonly grpc: GrpcModule;
  readonly authorization: ServiceCtor;
  readonly rateLimit: ServiceCtor;
  /** The loaded package object (test servers register the same definitions). */
  readonly pkg: Grpc.GrpcObject;
}

let loading: Promise<EnvoyServices> | undefined;

function lookup(pkg: Grpc.GrpcObject, path: string): ServiceCtor {
  let node: unknown = pkg;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceCtor;
}

async function load(): Promise<EnvoyServices> {
  // CommonJS packages: node (and the bundle) may put the exports under `default`.
  const cjs = <T>(m: T & { default?: T }): T => (m.default ?? m) as T;
  const [grpc, protoLoader] = await Promise.all([
    import('@grpc/grpc-js').then((m) => cjs(m as GrpcModule & { default?: GrpcModule })),
    import('@grpc/proto-loader').then((m) => cjs(m as typeof ProtoLoader & { default?: typeof ProtoLoader })),
  ]);
  const def = protoLoader.loadSync(['ext_authz.proto', 'rls.proto'], {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [PROTO_DIR],
  });
  const pkg = grpc.loadPackageDefinition(def);
  return {
    grpc,
    pkg,
    authorization: lookup(pkg, 'envoy.service.auth.v3.Authorization'),
    rateLimit: lookup(pkg, 'envoy.service.ratelimit.v3.RateLimitService'),
  };
}

/** `envoy.service.auth.v3.Authorization` and `envoy.service.ratelimit.v3.RateLimitService`, loaded once. */
export function envoyServices(): Promise<EnvoyServices> {
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
