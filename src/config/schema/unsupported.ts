/**
 * Names the agentgateway config format knows but Portcullis does not implement. They fail validation
 * with `not supported yet: <name>` instead of "unknown field" — and are never silently ignored.
 * Keyed by the schema object that would hold them, so the error converter finds them by walking the
 * schema along an issue's path.
 */
import type { z } from 'zod';
import { backend } from './backends.js';
import { backendAuth, routePolicies, UNSUPPORTED_POLICIES } from './policies.js';
import { listenerProtocol, otlpProtocol, rootConfig, staticConfig } from './root.js';

export interface UnsupportedNames {
  readonly names: readonly string[];
  /** What kind of thing the name is, shown after it (e.g. `backend kind`). */
  readonly what?: string;
}

export const UNSUPPORTED_KEYS: ReadonlyMap<z.ZodType, UnsupportedNames> = new Map<
  z.ZodType,
  UnsupportedNames
>([
  [
    rootConfig,
    { names: ['policies', 'gatewayPolicies', 'workloads', 'services', 'gateways', 'routes', 'llm'] },
  ],
  [
    staticConfig,
    {
      names: [
        'xdsAddress',
        'localXdsPath',
        'caAddress',
        'hbone',
        'namespace',
        'gateway',
        'workerThreads',
        'metrics',
        'connectionMinTerminationDeadline',
      ],
    },
  ],
  [routePolicies, { names: UNSUPPORTED_POLICIES }],
  [backend, { names: ['service', 'dynamic', 'ai', 'aws'], what: 'backend kind' }],
  [backendAuth, { names: ['gcp', 'aws', 'azure'], what: 'backendAuth kind' }],
]);

/** Enum values the format knows but Portcullis does not implement. */
export const UNSUPPORTED_VALUES: ReadonlyMap<z.ZodType, UnsupportedNames> = new Map<
  z.ZodType,
  UnsupportedNames
>([
  [listenerProtocol, { names: ['HBONE'], what: 'listener protocol' }],
  [otlpProtocol, { names: ['grpc'], what: 'OTLP protocol; use http' }],
]);
