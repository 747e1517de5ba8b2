/** Typed calls to the admin API (same origin as the UI). */
import type {
  AdminSummary,
  ConfigIssue,
  DemoToken,
  EndpointInfo,
  ExplainResult,
  PreflightReport,
  ReadyState,
  SessionPage,
} from '../../src/admin/api.js';
import type { ClientSnippet } from '../../src/admin/client-snippets-api.js';

export class ApiError extends Error {
  readonly status: number;
  readonly issues: readonly ConfigIssue[];
  constructor(status: number, message: string, issues: readonly ConfigIssue[] = []) {
    super(message);
    this.status = status;
    this.issues = issues;
  }
}

/** One admin API call; `as: 'text'` returns a successful body as text (the YAML config). */
async function request<T>(path: string, init?: RequestInit, as: 'json' | 'text' = 'json'): Promise<T> {
  const res = await fetch(path, init);
  const text = await res.text();
  if (res.ok && as === 'text') return text as T;
  let body: unknown = undefined;
  try {
    body = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const b = (typeof body === 'object' && body !== null ? body : {}) as {
      message?: unknown;
      issues?: unknown;
    };
    const message =
      typeof b.message === 'string' ? b.message : typeof body === 'string' && body ? body : res.statusText;
    throw new ApiError(res.status, message, Array.isArray(b.issues) ? (b.issues as ConfigIssue[]) : []);
  }
  return body as T;
}

export const api = {
  summary: () => request<AdminSummary>('/api/summary'),
  endpoints: () => request<EndpointInfo[]>('/api/endpoints'),
  demoTokens: () => request<DemoToken[]>('/api/demo-tokens'),
  ready: () => request<ReadyState>('/api/ready'),
  sessionPage: (offset: number, limit: number) =>
    request<SessionPage>(`/api/sessions/page?offset=${offset}&limit=${limit}`),
  closeSession: (id: string) =>
    request<{ status: string }>(`/api/sessions/close?id=${encodeURIComponent(id)}`, { method: 'POST' }),
  clientSnippets: (url: string, token: string | undefined) =>
    request<ClientSnippet[]>(`/api/client-snippets?url=${encodeURIComponent(url)}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }),
  /** The config file as YAML text, secrets redacted. */
  configYaml: () => request<string>('/config/yaml', undefined, 'text'),
  /** Validate (dryRun) or validate and write an edited YAML config; 400 carries `issues` at its lines. */
  writeConfigYaml: (text: string, dryRun: boolean) =>
    request<{ status: string; message?: string }>(`/config/yaml${dryRun ? '?dryRun=1' : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: text,
    }),
  explain: (token: string | undefined, route?: string) =>
    request<ExplainResult>(`/api/explain${route ? `?route=${encodeURIComponent(route)}` : ''}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }),
  preflight: (url: string, origin: string) =>
    request<PreflightReport>(
      `/api/preflight?url=${encodeURIComponent(url)}&origin=${encodeURIComponent(origin)}`,
    ),
  logLevel: () => request<{ level: string }>('/logging'),
  setLogLevel: (level: string) =>
    request<{ level: string }>(`/logging?level=${encodeURIComponent(level)}`, { method: 'POST' }),
};
