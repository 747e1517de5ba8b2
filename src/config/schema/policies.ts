import { z } from 'zod';
import { apiKey } from './api-key.js';
import { basicAuth } from './basic-auth.js';
import { authLocation } from './auth-location.js';
import { celExpr, duration, fileRef, stringMap } from './common.js';
import { extAuthz } from './ext-authz.js';
import { remoteRateLimit } from './remote-rate-limit.js';
import { retry } from './retry.js';
import { requestMirror, requestRedirect, urlRewrite } from './traffic.js';
import { transformations } from './transformations.js';

// ---- jwtAuth ----
export const jwksSource = z.union([
  fileRef,
  z.strictObject({ url: z.url({ protocol: /^https?$/ }) }),
  z.string().min(1).describe('a string of inline JWKS JSON'),
]);
export const jwtMode = z.enum(['strict', 'optional', 'permissive']);
/** agentgateway's `jwtValidationOptions`: claims a token must carry (`exp` is always required here). */
export const jwtValidationOptions = z.strictObject({ requiredClaims: z.array(z.string().min(1)).optional() });
export const jwtProvider = z.strictObject({
  issuer: z.string().min(1),
  audiences: z.array(z.string()).optional(),
  jwks: jwksSource,
  jwtValidationOptions: jwtValidationOptions.optional(),
});
export const jwtAuth = z.union([
  z.strictObject({
    mode: jwtMode.optional(),
    location: authLocation.optional(),
    issuer: z.string().min(1),
    audiences: z.array(z.string()).optional(),
    jwks: jwksSource,
    jwtValidationOptions: jwtValidationOptions.optional(),
    clockSkew: duration.optional(),
  }),
  z.strictObject({
    mode: jwtMode.optional(),
    location: authLocation.optional(),
    providers: z.array(jwtProvider).min(1),
    clockSkew: duration.optional(),
  }),
]);

// ---- mcpAuthentication ----
export const mcpProvider = z.union([
  z.strictObject({ auth0: z.strictObject({}) }),
  z.strictObject({ keycloak: z.strictObject({}) }),
  z.strictObject({ okta: z.strictObject({}) }),
  z.strictObject({ descope: z.strictObject({}) }),
  z.strictObject({ authentik: z.strictObject({}) }),
  z.strictObject({ entra: z.strictObject({}) }),
]);
export const mcpAuthentication = z.strictObject({
  issuer: z.string().min(1),
  audience: z.string().optional(),
  audiences: z.array(z.string()).optional(),
  jwksUrl: z.string().optional(),
  jwks: jwksSource.optional(),
  mode: jwtMode.optional(),
  provider: mcpProvider.optional(),
  resourceMetadata: z.record(z.string(), z.unknown()).optional(),
  jwtValidationOptions: jwtValidationOptions.optional(),
  scopesSupported: z.array(z.string()).optional(),
  /** Where the token is read from (default Authorization: Bearer), as jwtAuth's `location`. */
  authorizationLocation: authLocation.optional(),
  /** A pre-registered client the gateway hands out for client registrations (authentik and entra need it). */
  clientId: z.string().min(1).optional(),
  /** entra: added to proxied token requests of `clientId` (confidential app registrations). */
  clientSecret: z.string().min(1).optional(),
});

// ---- authorization rules ----
export const rule = z.union([
  celExpr,
  z.strictObject({ allow: celExpr }),
  z.strictObject({ deny: celExpr }),
  z.strictObject({ require: celExpr }),
]);
export const rules = z.strictObject({ rules: z.array(rule) });

// ---- cors ----
export const cors = z.strictObject({
  allowCredentials: z.boolean().optional(),
  allowHeaders: z.array(z.string()).optional(),
  allowMethods: z.array(z.string()).optional(),
  allowOrigins: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: duration.optional(),
});

// ---- csrf ----
export const csrf = z.strictObject({
  /** Cross-site origins (`scheme://host[:port]`) allowed besides the request's own. */
  additionalOrigins: z.array(z.string().min(1)).optional(),
});

// ---- backendAuth ----
const secret = z.union([z.string().min(1), fileRef]);
export const backendAuth = z.union([
  z.strictObject({ passthrough: z.strictObject({ location: authLocation.optional() }) }),
  z.strictObject({
    key: z.union([
      z.string().min(1),
      fileRef,
      z.strictObject({ value: secret, location: authLocation.optional() }),
    ]),
  }),
]);

// ---- backendTLS: TLS origination options for HTTPS upstreams ----
const pemFile = z
  .string()
  .min(1)
  .describe('a PEM file, relative to the working directory first, then to the config file');
export const backendTLS = z.strictObject({
  /** Client certificate (mTLS); needs `key`. */
  cert: pemFile.optional(),
  key: pemFile.optional(),
  /** CA bundle to trust instead of the default CAs. */
  root: pemFile.optional(),
  /** SNI and the name the certificate is verified against. */
  hostname: z.string().min(1).optional(),
  insecure: z.boolean().optional().describe('skip all certificate verification (logged as a warning)'),
  insecureHost: z.boolean().optional().describe('verify the chain but not the hostname'),
  alpn: z.array(z.string().min(1)).optional(),
});

// ---- header modifiers, timeout, direct response, rate limit ----
export const headerModifier = z.strictObject({
  add: stringMap.optional(),
  set: stringMap.optional(),
  remove: z.array(z.string()).optional(),
});
export const timeout = z.strictObject({
  requestTimeout: duration.optional(),
  backendRequestTimeout: duration.optional(),
});
export const directResponseSpec = z.strictObject({
  body: z.string().optional(),
  /** agentgateway: a CEL expression whose (string) value is the body, evaluated per request. */
  bodyExpression: celExpr.optional(),
  status: z.number().int().min(100).max(599),
});
/** One entry of agentgateway's conditional form: the first whose `condition` holds (or has none) answers. */
export const conditionalDirectResponse = z.strictObject({
  condition: celExpr.optional(),
  ...directResponseSpec.shape,
});
export const directResponse = z.union([
  directResponseSpec,
  z.strictObject({ conditional: z.array(conditionalDirectResponse).min(1) }),
]);
/** `tokens` (LLM tokens) never limits a Portcullis route: a load warning (src/policies/rate-limit/token-buckets.ts). */
export const rateLimitType = z.enum(['requests', 'tokens']);
export const localRateLimitBucket = z.strictObject({
  maxTokens: z.number().int().positive(),
  tokensPerFill: z.number().int().positive().optional(),
  fillInterval: duration,
  type: rateLimitType.optional(),
  /** Beyond agentgateway: a CEL expression whose value keys the bucket (e.g. `jwt.sub`). */
  key: celExpr.optional(),
});
/** agentgateway's conditional form: the first entry whose CEL `condition` holds (or has none) limits. */
export const conditionalRateLimit = z.strictObject({
  condition: celExpr.optional(),
  ...localRateLimitBucket.shape,
});
export const localRateLimit = z.union([
  z.array(localRateLimitBucket).min(1),
  z.strictObject({ conditional: z.array(conditionalRateLimit).min(1) }),
]);

/** Policies the reference names that Portcullis does not implement: rejected with "not supported yet". */
export const UNSUPPORTED_POLICIES = [
  'a2a',
  'ai',
  'backendTunnel',
  'buffer',
  'health',
  'http',
  'inferenceRouting',
  'sessionAffinity',
  'tcp',
  'extProc',
  'mcpGuardrails',
  'oidc',
] as const;

/** `delay`: latency injected before the backend; a Go duration or CEL (a duration, or milliseconds). */
export const delay = z.strictObject({ duration: z.string().min(1) });

export const routePolicies = z.strictObject({
  cors: cors.optional(),
  csrf: csrf.optional(),
  jwtAuth: jwtAuth.optional(),
  mcpAuthentication: mcpAuthentication.optional(),
  authorization: rules.optional(),
  mcpAuthorization: rules.optional(),
  localRateLimit: localRateLimit.optional(),
  requestHeaderModifier: headerModifier.optional(),
  responseHeaderModifier: headerModifier.optional(),
  timeout: timeout.optional(),
  directResponse: directResponse.optional(),
  backendAuth: backendAuth.optional(),
  backendTLS: backendTLS.optional(),
  apiKey: apiKey.optional(),
  basicAuth: basicAuth.optional(),
  extAuthz: extAuthz.optional(),
  remoteRateLimit: remoteRateLimit.optional(),
  retry: retry.optional(),
  urlRewrite: urlRewrite.optional(),
  requestRedirect: requestRedirect.optional(),
  requestMirror: requestMirror.optional(),
  transformations: transformations.optional(),
  delay: delay.optional(),
});

export type JwtAuthConfig = z.infer<typeof jwtAuth>;
export type JwksSourceConfig = z.infer<typeof jwksSource>;
export type McpAuthenticationConfig = z.infer<typeof mcpAuthentication>;
export type RuleConfig = z.infer<typeof rule>;
export type CorsConfig = z.infer<typeof cors>;
export type CsrfConfig = z.infer<typeof csrf>;
export type BackendAuthConfig = z.infer<typeof backendAuth>;
export type BackendTlsConfig = z.infer<typeof backendTLS>;
export type HeaderModifierConfig = z.infer<typeof headerModifier>;
export type TimeoutConfig = z.infer<typeof timeout>;
export type DelayConfig = z.infer<typeof delay>;
export type DirectResponseConfig = z.infer<typeof directResponse>;
export type LocalRateLimitConfig = z.infer<typeof localRateLimit>;
export type RoutePoliciesConfig = z.infer<typeof routePolicies>;
export type LocalRateLimitBucketConfig = z.infer<typeof localRateLimitBucket>;
