/**
 * `transformations` (agentgateway `LocalTransformationConfig`): CEL-computed changes to the request on
 * its way upstream and to the response on its way back. Per side: `add` (append), `set` (replace),
 * `remove`, in that order (like the header modifiers), then `body`.
 *
 * CEL sees the HTTP variables (`request`, `jwt`, `apiKey`, `basicAuth`, `source`, `now`), `body` (the
 * body being transformed: parsed JSON when it is JSON, else a string) and, on the response side,
 * `response.code`. A value that is not a string is JSON-encoded; an expression that fails leaves the
 * header unchanged (or the body unchanged) and counts `portcullis_transformation_errors_total`.
 *
 * Where: request headers after requestHeaderModifier (pipeline phase 6b); response headers on the head
 * whatever writes it (MCP and host backends, errors included). Bodies are buffered (at most
 * `config.limits.bufferedBodyBytes`): on `host` backends the HTTP bodies (src/server/traffic-forward.ts);
 * on MCP routes the JSON-RPC message POSTed by the client (read by src/server/pipeline.ts, then parsed by
 * the MCP transport: a result that is not JSON-RPC is answered as a JSON-RPC error) and the JSON-RPC
 * response to it (src/mcp/transport/post-responder.ts; checked by ./json-rpc.ts).
 */
import type { ServerResponse } from 'node:http';
import type { TransformConfig, TransformationsConfig } from '../../config/schema/transformations.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import {
  buildBaseActivation,
  compileCelExpression,
  CelResponse,
  toCelValue,
  type CelActivation,
  type CompiledCel,
} from '../../cel/index.js';
import { mergeIntoResponse } from '../headers/index.js';
import { isManagedByGateway, isToken, isValidHeaderValue } from '../headers/names.js';
import type { CompiledTransformations, TrafficTelemetry } from '../types.js';
import { bodyValue, json, text } from './value.js';
import { checkedResponse } from './json-rpc.js';
import { NO_TRAFFIC_TELEMETRY } from '../types.js';

interface Side {
  readonly add: readonly (readonly [string, CompiledCel])[];
  readonly set: readonly (readonly [string, CompiledCel])[];
  readonly remove: readonly string[];
  readonly body: CompiledCel | undefined;
}

function compileSide(t: TransformConfig, ctx: BuildContext, at: ConfigPath): Side {
  const cel = (src: string, p: ConfigPath) =>
    compileCelExpression(src, ctx, p, { variables: 'transform', expect: 'any' });
  const headers = (m: Record<string, string> | undefined, field: string) =>
    Object.entries(m ?? {}).map(([name, src]) => {
      const n = name.toLowerCase();
      if (!isToken(n)) throw ctx.error([...at, field, name], `invalid header name ${JSON.stringify(name)}`);
      if (isManagedByGateway(n))
        throw ctx.error([...at, field, name], `header "${n}" is managed by the gateway`);
      return [n, cel(src, [...at, field, name])] as const;
    });
  return {
    add: headers(t.add, 'add'),
    set: headers(t.set, 'set'),
    remove: (t.remove ?? []).map((n) => n.toLowerCase()),
    body: t.body ? cel(t.body, [...at, 'body']) : undefined,
  };
}

export function compileTransformations(
  cfg: TransformationsConfig,
  ctx: BuildContext,
  at: ConfigPath,
  telemetry: TrafficTelemetry = NO_TRAFFIC_TELEMETRY,
): CompiledTransformations {
  const req = cfg.request ? compileSide(cfg.request, ctx, [...at, 'request']) : undefined;
  const res = cfg.response ? compileSide(cfg.response, ctx, [...at, 'response']) : undefined;
  const evaluate = (expr: CompiledCel, a: CelActivation): string | undefined => {
    try {
      const v = text(expr(a));
      if (isValidHeaderValue(v)) return v;
    } catch {
      // counted below
    }
    telemetry.transformError();
    return undefined;
  };
  const activation = (rc: RequestContext, extra: { body?: unknown; code?: number }): CelActivation => ({
    ...buildBaseActivation({ identity: rc.identity, request: rc.request, source: rc.source }),
    body: extra.body ?? null,
    ...(extra.code !== undefined ? { response: new CelResponse(BigInt(extra.code)) } : {}),
  });
  const applyHeaders = (
    side: Side,
    a: CelActivation,
    get: (n: string) => string | undefined,
    put: (n: string, v: string) => void,
    del: (n: string) => void,
  ): void => {
    for (const [n, e] of side.add) {
      const v = evaluate(e, a);
      if (v === undefined) continue;
      const prev = get(n);
      put(n, prev === undefined || prev === '' ? v : `${prev}, ${v}`);
    }
    for (const [n, e] of side.set) {
      const v = evaluate(e, a);
      if (v !== undefined) put(n, v);
    }
    for (const n of side.remove) del(n);
  };
  const transformBody = (side: Side | undefined, code: number | undefined) =>
    side?.body
      ? (rc: RequestContext, body: Buffer, contentType: string | undefined): Buffer => {
          const expr = side.body!;
          try {
            return Buffer.from(
              text(expr(activation(rc, { body: bodyValue(body, contentType), code }))),
              'utf8',
            );
          } catch {
            telemetry.transformError();
            return body;
          }
        }
      : undefined;
  const reqBody = transformBody(req, undefined);
  const resBody = res?.body;
  return {
    applyRequestHeaders: function requestTransformation(rc) {
      if (!req) return;
      const h = rc.upstreamHeaders;
      applyHeaders(
        req,
        activation(rc, {}),
        (n) => h[n],
        (n, v) => void (h[n] = v),
        (n) => delete h[n],
      );
    },
    requestBody: reqBody ? (rc, body) => reqBody(rc, body, rc.request.headers['content-type']) : undefined,
    installResponseHeaders(rc) {
      if (!res || (!res.add.length && !res.set.length && !res.remove.length) || rc.res.headersSent) return;
      const side = res;
      const out = rc.res;
      const original = out.writeHead as (
        this: ServerResponse,
        status: number,
        reason?: string,
      ) => ServerResponse;
      let done = false;
      out.writeHead = function responseTransformation(
        this: ServerResponse,
        status: number,
        reasonOrHeaders?: unknown,
        maybeHeaders?: unknown,
      ): ServerResponse {
        const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
        const headers = (typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders) as Parameters<
          typeof mergeIntoResponse
        >[1];
        mergeIntoResponse(this, headers);
        if (!done) {
          done = true;
          const get = (n: string): string | undefined => {
            const v = this.getHeader(n);
            return v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : String(v);
          };
          applyHeaders(
            side,
            activation(rc, { code: status }),
            get,
            (n, v) => this.setHeader(n, v),
            (n) => this.removeHeader(n),
          );
        }
        return reason === undefined ? original.call(this, status) : original.call(this, status, reason);
      } as ServerResponse['writeHead'];
    },
    mcpResponseBody: resBody
      ? function mcpResponseTransformation(rc, message) {
          const id = (message as { id?: string | number | null }).id ?? null;
          let out: unknown;
          try {
            const v = resBody(activation(rc, { body: toCelValue(message), code: 200 }));
            out = JSON.parse(typeof v === 'string' ? v : json(v));
          } catch {
            out = undefined;
          }
          const checked = checkedResponse(out, id);
          if (!checked.ok) telemetry.transformError();
          return checked.message;
        }
      : undefined,
    responseBody: resBody
      ? (rc, status, body, contentType) => {
          try {
            const v = resBody(activation(rc, { body: bodyValue(body, contentType), code: status }));
            return Buffer.from(text(v), 'utf8');
          } catch {
            telemetry.transformError();
            return body;
          }
        }
      : undefined,
  };
}
