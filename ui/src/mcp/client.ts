/**
 * The Playground's MCP client: the official SDK client over Streamable HTTP (default) or legacy SSE,
 * with the bearer token on every request of the session — initialize, the initialized notification,
 * the GET stream, every call and the final DELETE — set both in `requestInit.headers` and by a fetch
 * wrapper, so no SDK code path can drop it. The wrapper also records each HTTP exchange (for the
 * traffic log and for plain-words errors: the SDK's errors lose the status line and headers).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';

export type TransportKind = 'streamable' | 'sse';

export interface TrafficEntry {
  readonly id: number;
  readonly method: string;
  readonly url: string;
  /** JSON-RPC method of a POST body, when there is one. */
  readonly rpc: string | undefined;
  /** Whether the request carried `Authorization: Bearer …`. */
  readonly authorization: boolean;
  /** Request headers as sent, the bearer token masked. */
  readonly requestHeaders: readonly (readonly [string, string])[];
  /** Request body (truncated past MAX_BODY_CHARS). */
  readonly requestBody: string | undefined;
  status?: number;
  /** Response content type. */
  contentType?: string;
  /** A JSON (or text) response body, truncated past MAX_BODY_CHARS. */
  responseBody?: string;
  /** An SSE response, as its events so far (at most MAX_EVENTS; the data of each truncated). */
  events?: string[];
  error?: string;
}

/** Bounds of the traffic log: it must not grow without limit on a long session. */
export const MAX_TRAFFIC_ENTRIES = 300;
export const MAX_BODY_CHARS = 32 * 1024;
export const MAX_EVENTS = 200;

/** The last failed HTTP exchange: what the plain-words error is built from. */
export interface HttpFailure {
  readonly url: string;
  readonly status: number | undefined;
  /** Network error (fetch threw): a CORS block, a refused connection, … */
  readonly network: boolean;
  readonly body: string;
  readonly wwwAuthenticate: string | null;
}

export interface ConnectOptions {
  readonly url: string;
  readonly transport: TransportKind;
  readonly token: string | undefined;
  readonly onTraffic?: (entries: readonly TrafficEntry[]) => void;
}

/** Output-schema checks need Ajv, which compiles with eval (forbidden by the UI's CSP): accept as-is. */
const acceptAll: jsonSchemaValidator = {
  getValidator: () => (input) => ({ valid: true, data: input as never, errorMessage: undefined }),
};

export class PlaygroundSession {
  readonly client: Client;
  readonly traffic: TrafficEntry[] = [];
  lastFailure: HttpFailure | undefined;
  private readonly opts: ConnectOptions;
  private nextId = 1;

  private constructor(opts: ConnectOptions) {
    this.opts = opts;
    this.client = new Client(
      { name: 'portcullis-playground', version: '0.1.0' },
      { capabilities: {}, jsonSchemaValidator: acceptAll },
    );
  }

  /** A session not yet connected: call `open()`; on failure read `lastFailure`. */
  static create(opts: ConnectOptions): PlaygroundSession {
    return new PlaygroundSession(opts);
  }

  async open(): Promise<void> {
    const headers: Record<string, string> = this.opts.token
      ? { Authorization: `Bearer ${this.opts.token}` }
      : {};
    const fetchFn = this.fetchWithToken.bind(this);
    const url = new URL(this.opts.url);
    const transport =
      this.opts.transport === 'sse'
        ? new SSEClientTransport(url, { fetch: fetchFn, requestInit: { headers } })
        : new StreamableHTTPClientTransport(url, { fetch: fetchFn, requestInit: { headers } });
    this.lastFailure = undefined;
    try {
      await this.client.connect(transport);
    } catch (e) {
      await transport.close().catch(() => undefined);
      throw e;
    }
  }

  private async fetchWithToken(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const headers = new Headers(init?.headers);
    if (this.opts.token) headers.set('Authorization', `Bearer ${this.opts.token}`);
    const method = init?.method ?? 'GET';
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const entry: TrafficEntry = {
      id: this.nextId++,
      method,
      url,
      rpc: rpcMethod(init?.body),
      authorization: headers.has('Authorization'),
      requestHeaders: maskedHeaders(headers),
      requestBody: typeof init?.body === 'string' ? clip(init.body) : undefined,
    };
    this.record(entry);
    try {
      const res = await fetch(input, { ...init, headers, mode: 'cors', credentials: 'omit' });
      entry.status = res.status;
      entry.contentType = res.headers.get('content-type') ?? undefined;
      this.captureBody(entry, res);
      if (!res.ok) {
        const body = await res
          .clone()
          .text()
          .catch(() => '');
        this.lastFailure = {
          url,
          status: res.status,
          network: false,
          body,
          wwwAuthenticate: res.headers.get('WWW-Authenticate'),
        };
      }
      this.record(entry);
      return res;
    } catch (e) {
      const aborted = e instanceof DOMException && e.name === 'AbortError';
      entry.error = aborted ? 'closed' : e instanceof Error ? e.message : String(e);
      if (!aborted)
        this.lastFailure = { url, status: undefined, network: true, body: '', wwwAuthenticate: null };
      this.record(entry);
      throw e;
    }
  }

  private record(entry: TrafficEntry): void {
    if (!this.traffic.includes(entry)) {
      this.traffic.push(entry);
      if (this.traffic.length > MAX_TRAFFIC_ENTRIES)
        this.traffic.splice(0, this.traffic.length - MAX_TRAFFIC_ENTRIES);
    }
    this.opts.onTraffic?.([...this.traffic]);
  }

  /** Read a copy of the response body into the entry: whole for JSON/text, event by event for SSE. */
  private captureBody(entry: TrafficEntry, res: Response): void {
    if (!res.body || res.status === 202 || res.status === 204) return;
    const copy = res.clone();
    if (!/^text\/event-stream/i.test(entry.contentType ?? '')) {
      void copy
        .text()
        .then((t) => {
          entry.responseBody = clip(t);
          this.record(entry);
        })
        .catch(() => undefined);
      return;
    }
    entry.events = [];
    const events = entry.events;
    const reader = copy.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const pump = async (): Promise<void> => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let cut: number;
        while ((cut = buffer.search(/\r?\n\r?\n/)) !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
          if (block.trim() && events.length < MAX_EVENTS) {
            events.push(clip(block));
            this.record(entry);
          }
        }
        if (buffer.length > MAX_BODY_CHARS) buffer = buffer.slice(-MAX_BODY_CHARS);
      }
    };
    void pump().catch(() => undefined);
  }

  /** Run an MCP call; on failure `lastFailure` describes the HTTP side (cleared before each call). */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    this.lastFailure = undefined;
    return call();
  }

  get serverName(): string {
    const v = this.client.getServerVersion();
    return v ? `${v.name} ${v.version}` : 'unknown server';
  }

  get capabilities(): { tools: boolean; prompts: boolean; resources: boolean } {
    const c = this.client.getServerCapabilities() ?? {};
    return { tools: !!c.tools, prompts: !!c.prompts, resources: !!c.resources };
  }

  async listTools(): Promise<Tool[]> {
    return this.run(async () =>
      collect(
        (cursor) => this.client.listTools(cursor ? { cursor } : {}),
        (r) => r.tools,
      ),
    );
  }

  async listPrompts(): Promise<Prompt[]> {
    return this.run(async () =>
      collect(
        (cursor) => this.client.listPrompts(cursor ? { cursor } : {}),
        (r) => r.prompts,
      ),
    );
  }

  async listResources(): Promise<{ resources: Resource[]; templates: ResourceTemplate[] }> {
    return this.run(async () => ({
      resources: await collect(
        (cursor) => this.client.listResources(cursor ? { cursor } : {}),
        (r) => r.resources,
      ),
      templates: await collect(
        (cursor) => this.client.listResourceTemplates(cursor ? { cursor } : {}),
        (r) => r.resourceTemplates,
      ).catch(() => []),
    }));
  }

  /**
   * Call a tool. With `onProgress`, the request carries a `progressToken` and each
   * `notifications/progress` is reported (and restarts the request timeout); aborting `signal` makes the
   * SDK send `notifications/cancelled` for the request and reject the call.
   */
  callTool(
    name: string,
    args: Record<string, unknown>,
    opts: { onProgress?: RequestOptions['onprogress']; signal?: AbortSignal } = {},
  ): Promise<CallToolResult> {
    const options: RequestOptions = {
      ...(opts.onProgress ? { onprogress: opts.onProgress, resetTimeoutOnProgress: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    return this.run(
      async () =>
        (await this.client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult,
    );
  }

  getPrompt(name: string, args: Record<string, string>): Promise<GetPromptResult> {
    return this.run(() => this.client.getPrompt({ name, arguments: args }));
  }

  readResource(uri: string): Promise<ReadResourceResult> {
    return this.run(() => this.client.readResource({ uri }));
  }

  async close(): Promise<void> {
    const transport = this.client.transport;
    if (transport instanceof StreamableHTTPClientTransport)
      await transport.terminateSession().catch(() => undefined);
    await this.client.close().catch(() => undefined);
  }
}

async function collect<R extends { nextCursor?: string | undefined }, T>(
  page: (cursor: string | undefined) => Promise<R>,
  items: (r: R) => T[],
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const r = await page(cursor);
    out.push(...items(r));
    cursor = r.nextCursor;
    if (!cursor) break;
  }
  return out;
}

function clip(text: string): string {
  return text.length > MAX_BODY_CHARS
    ? `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} characters)`
    : text;
}

/** The request's headers as sent, with the credential masked (the panel may be shown or screenshotted). */
function maskedHeaders(headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  headers.forEach((value, name) => {
    out.push([name, name === 'authorization' ? `${/^\S+\s+/.exec(value)?.[0] ?? ''}••••••` : value]);
  });
  return out;
}

function rpcMethod(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const msg = JSON.parse(body) as { method?: unknown; result?: unknown; error?: unknown };
    if (typeof msg.method === 'string') return msg.method;
    return msg.error !== undefined ? 'error response' : 'response';
  } catch {
    return undefined;
  }
}
