/**
 * Names the agentgateway config format knows but Portcullis does not implement. They fail validation
 * with `not supported yet: <name>` instead of "unknown field" — and are never silently ignored.
 * Keyed by the schema object that would hold them, so the error converter finds them by walking the
 * schema along an issue's path.
 */
import type { z } from 'zod';
import { backend, hostTarget, openapiTarget, stdioTargetEntry, targetPolicies } from './backends.js';
import { frontendPolicies, gateway, gatewayListener, loggingPolicy, namedBackend } from './gateways.js';
import {
  backendAuth,
  backendTLS,
  conditionalDirectResponse,
  directResponse,
  directResponseSpec,
  routePolicies,
  UNSUPPORTED_POLICIES,
} from './policies.js';
import { bind, rootConfig, staticBackend, staticConfig, staticLogging } from './root.js';
import { frontendTracing } from './tracing.js';
import { listener, listenerProtocol, listenerTls } from './route.js';
import { extAuthz, extAuthzHttp } from './ext-authz.js';
import { descriptorType, rateLimitDescriptor, remoteRateLimit } from './remote-rate-limit.js';
import { serviceHost } from './service-target.js';
import { mirrorBackend } from './traffic.js';
import { retry } from './retry.js';
import { transform, transformations } from './transformations.js';
import { attachedTcpRoute, tcpBackend, tcpRoute } from './tcp-routes.js';

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
    {
      names: ['policies', 'gatewayPolicies', 'workloads', 'services', 'routeGroups', 'llm', 'ui'],
    },
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
        'additionalTrustDomains',
        'caAuthToken',
        'clusterId',
        'customFunctions',
        'database',
        'dns',
        'histograms',
        'modelCatalog',
        'network',
        'sensitiveHeaders',
        'serviceAccount',
        'session',
        'skipValidateTrustDomain',
        'spiffe',
        'standardAttributes',
        'storage',
        'trustDomain',
        'xdsAuthToken',
      ],
    },
  ],
  [staticBackend, { names: ['keepalives'] }],
  [staticLogging, { names: ['database'] }],
  [bind, { names: ['mode', 'tunnelProtocol'] }],
  [listener, { names: ['namespace'] }],
  [
    listenerTls,
    {
      names: [
        'mode',
        'root',
        'spiffe',
        'cipherSuites',
        'minTLSVersion',
        'minTlsVersion',
        'maxTLSVersion',
        'maxTlsVersion',
        'keyExchangeGroups',
      ],
    },
  ],
  [gateway, { names: UNSUPPORTED_POLICIES }],
  [gatewayListener, { names: UNSUPPORTED_POLICIES }],
  [
    frontendPolicies,
    {
      names: ['http', 'tls', 'tcp', 'networkExtAuthz', 'proxy', 'proxyProtocol', 'connect'],
    },
  ],
  [loggingPolicy, { names: ['otlp', 'database'] }],
  [frontendTracing, { names: ['backend', 'service', 'policies'] }],
  [routePolicies, { names: UNSUPPORTED_POLICIES }],
  [extAuthz, { names: ['service', 'conditional', 'policies'] }],
  [extAuthzHttp, { names: ['body', 'metadata'] }],
  [remoteRateLimit, { names: ['backend', 'service', 'conditional', 'policies'] }],
  [rateLimitDescriptor, { names: ['limitOverride'] }],
  [mirrorBackend, { names: ['service'] }],
  [retry, { names: ['condition'] }],
  [transformations, { names: ['conditional'] }],
  [transform, { names: ['metadata', 'replace'] }],
  [tcpRoute, { names: ['namespace', 'policies'] }],
  [attachedTcpRoute, { names: ['namespace', 'policies'] }],
  [tcpBackend, { names: ['backend', 'service', 'dynamic', 'policies'] }],
  [
    backend,
    { names: ['service', 'dynamic', 'ai', 'aws', 'internal', 'routeGroup', 'invalid'], what: 'backend kind' },
  ],
  [namedBackend, { names: ['ai', 'aws', 'internal'], what: 'backend kind' }],
  [
    backendAuth,
    {
      names: ['gcp', 'aws', 'azure', 'credentials', 'jwtSign', 'oauthTokenExchange', 'crossAppAccess'],
      what: 'backendAuth kind',
    },
  ],
  [backendTLS, { names: ['spiffe', 'subjectAltNames', 'keyExchangeGroups'] }],
  [stdioTargetEntry, { names: ['policies'], what: 'on a stdio target' }],
  [targetPolicies, { names: ['requestHeaderModifier', 'transformations', 'http', 'tcp', 'backendTunnel'] }],
  [hostTarget, { names: ['backend'] }],
  [openapiTarget, { names: ['backend'] }],
  [directResponse, { names: ['headers'] }],
  [directResponseSpec, { names: ['headers'] }],
  [conditionalDirectResponse, { names: ['headers'] }],
]);

/** Enum values the format knows but Portcullis does not implement. */
export const UNSUPPORTED_VALUES: ReadonlyMap<z.ZodType, UnsupportedNames> = new Map<
  z.ZodType,
  UnsupportedNames
>([
  [listenerProtocol, { names: ['HBONE'], what: 'listener protocol' }],
  [descriptorType, { names: ['tokens'], what: 'rate limit type' }],
]);

/** String forms the format knows but Portcullis does not implement, by prefix (`unix:/run/x.sock`). */
export const UNSUPPORTED_PREFIXES: ReadonlyMap<z.ZodType, UnsupportedNames> = new Map<
  z.ZodType,
  UnsupportedNames
>([[serviceHost, { names: ['unix:'], what: 'unix socket address' }]]);
