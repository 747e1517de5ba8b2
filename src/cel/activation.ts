/**
 * The values CEL expressions see. `mcp`, `request`, `source` and `response` are instances of classes
 * registered as typed CEL objects (src/cel/environment.ts), so `mcp.tool.nme` fails the type check at
 * config load and cel-js never has to convert a plain object per evaluation. `jwt` is the claims map
 * already converted once per token (Identity.celClaims: integer JSON numbers are CEL ints).
 */
import type { AuthzSubject, McpItem, McpItemKind } from '../contracts/authorization.js';
import { canonicalAddress } from '../net/peer-address.js';

/** `mcp.tool`, `mcp.prompt`, `mcp.resource`: upstream (unprefixed) name or resource URI, and target. */
export class CelMcpItem {
  constructor(
    readonly name: string,
    readonly target: string,
  ) {}
}

/** The `mcp` variable: exactly one of tool/prompt/resource is set (reading another one is an error). */
export class CelMcp {
  readonly tool: CelMcpItem | undefined;
  readonly prompt: CelMcpItem | undefined;
  readonly resource: CelMcpItem | undefined;
  /** agentgateway's name for `method`. */
  readonly methodName: string;
  constructor(
    readonly method: string,
    kind: McpItemKind | undefined,
    item: CelMcpItem | undefined,
  ) {
    this.tool = kind === 'tool' ? item : undefined;
    this.prompt = kind === 'prompt' ? item : undefined;
    this.resource = kind === 'resource' ? item : undefined;
    this.methodName = method;
  }
}

export class CelRequest {
  readonly pathAndQuery: string;
  readonly uri: string;
  constructor(
    readonly method: string,
    readonly path: string,
    readonly host: string,
    readonly scheme: string,
    readonly headers: Readonly<Record<string, string>>,
    pathAndQuery?: string,
    readonly version: string = 'HTTP/1.1',
    readonly startTime: string = '',
  ) {
    this.pathAndQuery = pathAndQuery ?? path;
    this.uri = `${scheme}://${host}${this.pathAndQuery}`;
  }
}

/** `source` and `destination`: IPv4 peers in their plain form (`127.0.0.1`, not `::ffff:127.0.0.1`). */
export class CelSource {
  readonly address: string;
  constructor(
    address: string,
    readonly port: bigint,
  ) {
    this.address = canonicalAddress(address);
  }
}

/** Only in the `log` variable set: the response as the access log sees it. */
export class CelResponse {
  constructor(readonly code: bigint) {}
}

/** What one CEL evaluation sees. Fields absent from a variable set are simply not declared there. */
export interface CelActivation {
  /** Verified claims (integers as bigint), or null without a (valid) token. */
  readonly jwt: Readonly<Record<string, unknown>> | null;
  /** The apiKey policy's verified key (metadata fields + redacted `key`), or null. */
  readonly apiKey: Readonly<Record<string, unknown>> | null;
  /** The basicAuth policy's verified user (`basicAuth.username`), or null. */
  readonly basicAuth: { readonly username: string } | null;
  readonly request: CelRequest;
  readonly source: CelSource;
  readonly destination?: CelSource;
  /** Unix time in whole seconds (CEL int), taken once per activation: `jwt.exp > now`. */
  readonly now: bigint;
  readonly mcp?: CelMcp;
  readonly response?: CelResponse;
  /** transformations only: the body being transformed. */
  readonly body?: unknown;
  /** Log filters only: the access-log record by field name. */
  readonly log?: ReadonlyMap<string, unknown>;
}

/** The subject part of an activation: what stays the same for every item of one request. */
export type CelSubject = Omit<AuthzSubject, 'mcpMethod'> & { readonly mcpMethod?: string };

export interface ActivationExtras {
  /** For log filters: the response status. */
  readonly response?: { readonly code: number };
  /** Clock override (milliseconds since the epoch); tests pin it. Defaults to Date.now(). */
  readonly nowMs?: number;
}

/** The per-request part (jwt/request/source/now). Build once per request, then add `mcp` per item. */
export function buildBaseActivation(subject: CelSubject, extras?: ActivationExtras): CelActivation {
  const r = subject.request;
  const base: CelActivation = {
    jwt: subject.identity && (subject.identity.scheme ?? 'jwt') === 'jwt' ? subject.identity.celClaims : null,
    apiKey: subject.identity?.apiKey ?? null,
    basicAuth: subject.identity?.basicAuth ?? null,
    request: new CelRequest(
      r.method,
      r.path,
      r.host,
      r.scheme,
      r.headers,
      r.pathAndQuery,
      r.version,
      r.startTime,
    ),
    source: new CelSource(subject.source.address, BigInt(subject.source.port)),
    destination: new CelSource(r.destination?.address ?? '', BigInt(r.destination?.port ?? 0)),
    now: BigInt(Math.floor((extras?.nowMs ?? Date.now()) / 1000)),
  };
  if (extras?.response) return { ...base, response: new CelResponse(BigInt(extras.response.code)) };
  return base;
}

/** A copy of `base` whose `mcp` describes `item` (or only the method, without an item). */
export function withMcp(base: CelActivation, method: string, item: McpItem | undefined): CelActivation {
  const mcp = item
    ? new CelMcp(method, item.kind, new CelMcpItem(item.name, item.target))
    : new CelMcp(method, undefined, undefined);
  return {
    jwt: base.jwt,
    apiKey: base.apiKey,
    basicAuth: base.basicAuth,
    request: base.request,
    source: base.source,
    ...(base.destination ? { destination: base.destination } : {}),
    now: base.now,
    mcp,
    ...(base.response ? { response: base.response } : {}),
  };
}

/**
 * One activation for a subject and (optionally) an MCP item. When deciding many items for one
 * request, prefer `buildBaseActivation` once + `withMcp` per item (McpAuthorizer does this).
 */
export function buildActivation(
  subject: CelSubject,
  item?: McpItem,
  extras?: ActivationExtras,
): CelActivation {
  const base = buildBaseActivation(subject, extras);
  if (subject.mcpMethod === undefined && item === undefined) return base;
  return withMcp(base, subject.mcpMethod ?? '', item);
}
