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

// The admin token (docs/admin.md): asked for on the first 401, kept for this tab only.
const TOKEN_KEY = 'portcullis.adminToken';
let asking: Promise<string | null> | undefined;

function withAdminToken(init: RequestInit | undefined, token: string | null): RequestInit {
  if (!token) return init ?? {};
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/** One prompt for every request that was refused at once. */
function askForAdminToken(): Promise<string | null> {
  asking ??= Promise.resolve().then(() => {
    const token = window.prompt('This admin API needs its token (PORTCULLIS_ADMIN_TOKEN):')?.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    asking = undefined;
    return token || null;
  });
  return asking;
}

/** One admin API call; `as: 'text'` returns a successful body as text (the YAML config). */
async function request<T>(
  path: string,
  init?: RequestInit,
  as: 'json' | 'text' = 'json',
  retry = true,
): Promise<T> {
  const sent = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, withAdminToken(init, sent));
  if (res.status === 401 && retry && /^Bearer\b/i.test(res.headers.get('www-authenticate') ?? '')) {
    // Another request may have asked already while this one was in flight.
    const current = sessionStorage.getItem(TOKEN_KEY);
    if ((current && current !== sent) || (await askForAdminToken())) return request<T>(path, init, as, false);
  }
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
      headers: token ? { 'x-explain-token': token } : {},
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
      // Not Authorization: that header carries the admin token when one is set.
      headers: token ? { 'x-explain-token': token } : {},
    }),
  preflight: (url: string, origin: string) =>
    request<PreflightReport>(
      `/api/preflight?url=${encodeURIComponent(url)}&origin=${encodeURIComponent(origin)}`,
    ),
  logLevel: () => request<{ level: string }>('/logging'),
  setLogLevel: (level: string) =>
    request<{ level: string }>(`/logging?level=${encodeURIComponent(level)}`, { method: 'POST' }),
};
