/** Typed calls to the admin API (same origin as the UI). */
import type {
  AdminSummary,
  ConfigIssue,
  DemoToken,
  EndpointInfo,
  ExplainResult,
  PreflightReport,
  SessionView,
} from '../../src/admin/api.js';

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

async function request<T>(path: string, init?: RequestInit, retry = true): Promise<T> {
  const sent = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, withAdminToken(init, sent));
  if (res.status === 401 && retry && /^Bearer\b/i.test(res.headers.get('www-authenticate') ?? '')) {
    // Another request may have asked already while this one was in flight.
    const current = sessionStorage.getItem(TOKEN_KEY);
    if ((current && current !== sent) || (await askForAdminToken())) return request<T>(path, init, false);
  }
  const text = await res.text();
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
  sessions: () => request<SessionView[]>('/api/sessions'),
  endpoints: () => request<EndpointInfo[]>('/api/endpoints'),
  demoTokens: () => request<DemoToken[]>('/api/demo-tokens'),
  config: () => request<unknown>('/config'),
  writeConfig: (json: unknown) =>
    request<{ status: string; message?: string }>('/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(json),
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
