/**
 * OpenAPI `schema: {url}`: the document is fetched when the target is first needed — by the health
 * probe right after start-up or a reload, or by the first session — bounded by `limits.openapiSchemaTimeout`
 * (the whole fetch) and `limits.openapiSchemaBytes`, and kept for as long as that config is in use
 * (keyed by the normalized target, which every reload builds anew: a reload fetches again).
 * A failed fetch never stops the gateway: the target fails (the probe marks it unhealthy with the
 * reason, see docs/observability.md) and the next attempt waits 0.5 s, doubling up to 30 s; attempts
 * in the meantime fail at once with the last reason. Every fetch is counted
 * (`portcullis_openapi_schema_fetch_total{result}`).
 */
import { openApiBaseUrl, readOpenApiDoc } from '../../config/openapi-doc.js';
import type { NormalizedTarget } from '../../config/types.js';
import { UpstreamError } from '../../errors/upstream.js';
import { smallRequest } from '../../net/small-request.js';
import { networkError, statusError } from './net-errors.js';
import type { OpenApiSchema } from './openapi.js';
import { openApiTools } from './openapi-tools.js';

type OpenApiTarget = Extract<NormalizedTarget, { kind: 'openapi' }>;

export interface RemoteSchemaOptions {
  /** Read per fetch, so a reload's limits apply to the next one. */
  readonly limits: () => { readonly timeoutMs: number; readonly maxBytes: number };
  readonly onFetch?: ((result: 'success' | 'failure') => void) | undefined;
  readonly now?: () => number;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

interface Entry {
  schema?: OpenApiSchema;
  inflight?: Promise<OpenApiSchema>;
  error?: UpstreamError;
  retryAt: number;
  failures: number;
}

export interface RemoteSchemas {
  load(target: OpenApiTarget): Promise<OpenApiSchema>;
}

export function createRemoteSchemas(opts: RemoteSchemaOptions): RemoteSchemas {
  const entries = new WeakMap<OpenApiTarget, Entry>();
  const now = opts.now ?? Date.now;

  async function fetchSchema(target: OpenApiTarget, url: string): Promise<OpenApiSchema> {
    const { timeoutMs, maxBytes } = opts.limits();
    const t = { connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs };
    const prefix = 'OpenAPI schema: ';
    let text: string;
    try {
      const res = await smallRequest(url, {
        headers: { accept: 'application/json, application/yaml, text/yaml, */*' },
        timeoutMs,
        maxBytes,
        tooLarge: () =>
          new UpstreamError(
            'UPSTREAM_PROTOCOL',
            target.name,
            `${prefix}larger than limits.openapiSchemaBytes (${maxBytes} bytes)`,
          ),
      });
      if (res.status !== 200) throw statusError(target.name, res.status, prefix);
      text = res.body.toString('utf8');
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      const timedOut = (e as { name?: unknown })?.name === 'TimeoutError';
      if (timedOut)
        throw new UpstreamError('UPSTREAM_TIMEOUT', target.name, `${prefix}no answer within ${timeoutMs} ms`);
      throw networkError(target.name, e, t, prefix);
    }
    const doc = readOpenApiDoc(text);
    if ('error' in doc) throw new UpstreamError('UPSTREAM_PROTOCOL', target.name, prefix + doc.error);
    let tools;
    try {
      tools = openApiTools(doc.doc);
    } catch (e) {
      throw new UpstreamError('UPSTREAM_PROTOCOL', target.name, `${prefix}${(e as Error).message}`);
    }
    return { tools, baseUrl: openApiBaseUrl(new URL(target.baseUrl), doc.serverPath) };
  }

  return {
    load: function loadRemoteSchema(target) {
      const url = target.schemaUrl;
      if (url === undefined) return Promise.reject(new Error('no schema URL'));
      let entry = entries.get(target);
      if (!entry) entries.set(target, (entry = { retryAt: 0, failures: 0 }));
      const e = entry;
      if (e.schema) return Promise.resolve(e.schema);
      if (e.inflight) return e.inflight;
      if (e.error && now() < e.retryAt) return Promise.reject(e.error);
      e.inflight = fetchSchema(target, url).then(
        (schema) => {
          e.schema = schema;
          e.inflight = undefined;
          e.error = undefined;
          opts.onFetch?.('success');
          return schema;
        },
        (err: UpstreamError) => {
          e.inflight = undefined;
          e.error = err;
          e.failures++;
          e.retryAt = now() + Math.min(FIRST_RETRY_MS * 2 ** (e.failures - 1), MAX_RETRY_MS);
          opts.onFetch?.('failure');
          throw err;
        },
      );
      return e.inflight;
    },
  };
}
