/**
 * The Envoy gRPC service definitions (proto/*.proto, see proto/README.md), loaded once per process on
 * first use. This file sits two folders below the package root (like src/app/version.ts), so the same
 * relative URL finds proto/ from src/ (tsx) and from the bundle in dist/cli/.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

const LOAD_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

export type ServiceCtor = grpc.ServiceClientConstructor;

let cache: { authorization: ServiceCtor; rateLimit: ServiceCtor } | undefined;

function lookup(pkg: grpc.GrpcObject, path: string): ServiceCtor {
  let node: unknown = pkg;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceCtor;
}

/** `envoy.service.auth.v3.Authorization` and `envoy.service.ratelimit.v3.RateLimitService` clients. */
export function envoyServices(): { authorization: ServiceCtor; rateLimit: ServiceCtor } {
  if (cache) return cache;
  const def = protoLoader.loadSync(['ext_authz.proto', 'rls.proto'], LOAD_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def);
  cache = {
    authorization: lookup(pkg, 'envoy.service.auth.v3.Authorization'),
    rateLimit: lookup(pkg, 'envoy.service.ratelimit.v3.RateLimitService'),
  };
  return cache;
}

/** For test servers: the same definitions as a package object. */
export function envoyPackage(): grpc.GrpcObject {
  return grpc.loadPackageDefinition(protoLoader.loadSync(['ext_authz.proto', 'rls.proto'], LOAD_OPTIONS));
}
