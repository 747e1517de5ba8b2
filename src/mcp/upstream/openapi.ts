import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
// Our own version list, not the SDK's: importing a value from the SDK's types module builds all of its
// zod schemas (~200 ms of start-up).
import {
  LATEST_LEGACY_VERSION as LATEST_PROTOCOL_VERSION,
  LEGACY_VERSIONS as SUPPORTED_PROTOCOL_VERSIONS,
} from '../protocol/revisions.js';
import type { Logger } from 'pino';
import type { Agent } from 'undici';
import { ERRORS } from '../../errors/registry.js';
import { API_RESERVED, mergeHeaders } from './headers.js';
import { UpstreamError } from '../../errors/upstream.js';
import { errorResponse, isNotification, isRequest, type RequestId } from './rpc-client.js';
import { isAbortError, networkError, type TimeoutInfo } from './net-errors.js';
import { buildRequest } from './openapi-request.js';
import type { OpenApiTool } from './openapi-tools.js';

export interface OpenApiSchema {
  readonly tools: readonly OpenApiTool[];
  readonly baseUrl: string;
}
import type { Upstream, UpstreamSendOptions } from './upstream.js';

export interface OpenApiUpstreamOptions {
  readonly target: string;
  /**
   * The tools and the API's base URL, built once per schema by the factory; a function so a bad schema
   * fails `start()`, not `create()`, and async for a schema fetched from a URL (./openapi-remote.ts).
   */
  readonly schema: () => OpenApiSchema | Promise<OpenApiSchema>;
  readonly agent: (url: URL) => Agent;
  readonly logger: Logger;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

const MAX_ERROR_BODY = 4096;

/**
 * A REST API described by OpenAPI, presented as an MCP server. Nothing MCP runs upstream: initialize,
 * ping, logging/setLevel and tools/list are answered here; tools/call becomes one HTTP request.
 * A 2xx JSON answer is the tool result (`text` = the JSON, `structuredContent` = the object); any other
 * status is a tool error naming it. Network failures reject `send` with an `UpstreamError`.
 */
export class OpenApiUpstream implements Upstream {
  readonly kind = 'openapi' as const;
  readonly target: string;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;

  readonly #opts: OpenApiUpstreamOptions;
  readonly #timeouts: TimeoutInfo;
  readonly #calls = new Map<RequestId, AbortController>();
  #tools: ReadonlyMap<string, OpenApiTool> | undefined;
  #baseUrl = '';
  #state: 'new' | 'open' | 'closed' = 'new';

  constructor(opts: OpenApiUpstreamOptions) {
    this.#opts = opts;
    this.target = opts.target;
    this.#timeouts = { connectTimeoutMs: opts.connectTimeoutMs, requestTimeoutMs: opts.requestTimeoutMs };
  }

  async start(): Promise<void> {
    let schema: OpenApiSchema;
    try {
      schema = await this.#opts.schema();
    } catch (err) {
      this.#state = 'closed';
      if (err instanceof UpstreamError) throw err; // a schema URL that could not be fetched
      throw new Error(`target "${this.target}": invalid OpenAPI schema: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (this.#state === 'closed') return; // closed while the schema was fetched
    this.#tools = new Map(schema.tools.map((t) => [t.name, t]));
    this.#baseUrl = schema.baseUrl;
    this.#state = 'open';
  }

  async send(message: JSONRPCMessage, opts?: UpstreamSendOptions): Promise<void> {
    if (this.#state !== 'open') throw new UpstreamError('UPSTREAM_CLOSED', this.target, 'connection closed');
    if (isNotification(message) && message.method === 'notifications/cancelled') {
      const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (id !== undefined) this.#calls.get(id)?.abort();
      return;
    }
    if (!isRequest(message)) return; // other notifications and responses mean nothing to a REST API
    // send() settles with the call: a network failure rejects it with an UpstreamError.
    const answer = await this.#answer(message, opts);
    if (answer && this.#state === 'open') this.onmessage?.(answer);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    for (const c of this.#calls.values()) c.abort();
    if (wasOpen) this.onclose?.(undefined);
  }

  async #answer(
    req: JSONRPCRequest,
    opts: UpstreamSendOptions | undefined,
  ): Promise<JSONRPCMessage | undefined> {
    const result = (r: Record<string, unknown>): JSONRPCMessage => ({
      jsonrpc: '2.0',
      id: req.id,
      result: r,
    });
    switch (req.method) {
      case 'initialize': {
        const asked = (req.params as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        const protocolVersion =
          typeof asked === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(asked)
            ? asked
            : LATEST_PROTOCOL_VERSION;
        return result({
          protocolVersion,
          capabilities: { tools: {} },
          serverInfo: { name: this.target, version: '1.0.0' },
        });
      }
      case 'ping':
      case 'logging/setLevel':
        return result({});
      case 'tools/list':
        return result({
          tools: [...this.#tools!.values()].map((t) => ({
            name: t.name,
            description: t.description,
            inputSchema: t.inputSchema,
          })),
        });
      case 'tools/call':
        return this.#call(req, opts);
      default:
        return errorResponse(req.id, ERRORS.METHOD_NOT_FOUND.rpc, `Method not found: ${req.method}`);
    }
  }

  async #call(
    req: JSONRPCRequest,
    opts: UpstreamSendOptions | undefined,
  ): Promise<JSONRPCMessage | undefined> {
    const params = (req.params ?? {}) as { name?: unknown; arguments?: unknown };
    const name = typeof params.name === 'string' ? params.name : '';
    const tool = this.#tools!.get(name);
    if (!tool) return errorResponse(req.id, ERRORS.UNKNOWN_ITEM.rpc, `Unknown tool: ${name}`);
    const invalid = tool.check(params.arguments ?? {});
    if (invalid) return errorResponse(req.id, ERRORS.INVALID_PARAMS.rpc, invalid);
    const args = record(params.arguments);
    const built = buildRequest(this.#baseUrl, tool, args);
    if (typeof built === 'string') return errorResponse(req.id, ERRORS.INVALID_PARAMS.rpc, built);
    const { url, path: requestPath, toolHeaders } = built;
    // The gateway's own headers (backendAuth, trace context) win over what the model put in `header`.
    const headers = mergeHeaders(
      mergeHeaders({ accept: 'application/json' }, toolHeaders, API_RESERVED),
      opts?.headers,
      API_RESERVED,
    );
    const hasBody = args.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';

    const abort = new AbortController();
    this.#calls.set(req.id, abort);
    const signal = opts?.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
    try {
      const res = await this.#opts.agent(url).request({
        origin: url.origin,
        path: requestPath,
        method: tool.method as 'GET',
        headers,
        body: hasBody ? JSON.stringify(args.body) : undefined,
        signal,
        headersTimeout: this.#timeouts.requestTimeoutMs || undefined,
        bodyTimeout: this.#timeouts.requestTimeoutMs || undefined,
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const body = text.length > MAX_ERROR_BODY ? text.slice(0, MAX_ERROR_BODY) + '…' : text;
        return {
          jsonrpc: '2.0',
          id: req.id,
          result: {
            isError: true,
            content: [
              {
                type: 'text',
                text: `Upstream API call for tool '${name}' failed with status ${res.statusCode}: ${body}`,
              },
            ],
          },
        };
      }
      return { jsonrpc: '2.0', id: req.id, result: toolResult(text, res.headers['content-type']) };
    } catch (err) {
      // Cancelled by the client: MCP says no response is sent for a cancelled request.
      if (abort.signal.aborted || opts?.signal?.aborted || isAbortError(err)) return undefined;
      throw networkError(this.target, err, this.#timeouts);
    } finally {
      this.#calls.delete(req.id);
    }
  }
}

function toolResult(text: string, contentType: string | string[] | undefined): Record<string, unknown> {
  const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
  const essence = type.split(';')[0]!.trim().toLowerCase();
  if (essence === 'application/json' || essence.endsWith('+json')) {
    try {
      const json: unknown = JSON.parse(text);
      // structuredContent must be an object (MCP); other JSON values travel as text only.
      const structured = typeof json === 'object' && json !== null && !Array.isArray(json);
      return {
        content: [{ type: 'text', text: JSON.stringify(json) }],
        ...(structured ? { structuredContent: json } : {}),
      };
    } catch {
      // not JSON after all: return it as text
    }
  }
  return { content: [{ type: 'text', text }] };
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
