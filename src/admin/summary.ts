/**
 * The admin summary (`/api/summary`) built from the normalized config plus live state the app supplies.
 * Pure: the app passes target status, reload status and counts in.
 */
import type { NormalizedConfig, NormalizedMatch, NormalizedTarget } from '../config/types.js';
import type { AdminSummary, ReloadStatus, TargetState, TargetSummary } from './api.js';
import { REDACTED, redactSecrets } from './redact.js';

export interface SummaryLive {
  readonly version: string;
  readonly reload: ReloadStatus;
  readonly sessions: number;
  /** Live status of one target of one MCP backend (by backend name and target name). */
  targetStatus(backend: string, target: string): { readonly status: TargetState; readonly error?: string };
}

export function buildSummary(config: NormalizedConfig, live: SummaryLive): AdminSummary {
  const listeners: AdminSummary['listeners'][number][] = [];
  const routes: AdminSummary['routes'][number][] = [];
  const targets: TargetSummary[] = [];
  for (const bind of config.binds) {
    for (const l of bind.listeners) {
      listeners.push({
        key: l.key,
        name: l.name,
        bind: bind.key,
        address: bind.address,
        port: bind.port,
        hostname: l.hostname,
        protocol: l.protocol,
        routes: l.routes.map((r) => r.key),
      });
      for (const r of l.routes) {
        routes.push({
          key: r.key,
          name: r.name,
          listener: l.key,
          hostnames: r.hostnames,
          matches: (r.matches.length ? r.matches : [defaultMatch]).map(describeMatch),
          policies: redactSecrets(r.policies) as Record<string, unknown>,
          backends: r.backends.map((b) =>
            b.kind === 'mcp'
              ? {
                  kind: 'mcp',
                  name: b.name,
                  targets: b.targets.map((t) => t.name),
                  statefulMode: b.statefulMode,
                }
              : { kind: 'host', host: b.host },
          ),
        });
        for (const b of r.backends) {
          if (b.kind !== 'mcp') continue;
          for (const t of b.targets) {
            const s = live.targetStatus(b.name, t.name);
            targets.push({
              name: t.name,
              kind: t.kind,
              detail: redactSecrets(targetDetail(t)),
              route: r.key,
              backend: b.name,
              status: s.status,
              ...(s.error !== undefined ? { error: s.error } : {}),
            });
          }
        }
      }
    }
  }
  return {
    version: live.version,
    configFile: config.source.file,
    reload: live.reload,
    listeners,
    routes,
    targets,
    sessions: live.sessions,
  };
}

const defaultMatch: NormalizedMatch = {
  path: { kind: 'prefix', value: '/' },
  method: undefined,
  headers: [],
  query: [],
};

export function describeMatch(m: NormalizedMatch): string {
  const parts = [`${m.path.kind} ${m.path.value}`];
  if (m.method) parts.push(`method ${m.method}`);
  for (const h of m.headers)
    parts.push(`header ${h.name} ${'exact' in h.value ? `= ${h.value.exact}` : `~ ${h.value.regex}`}`);
  for (const q of m.query)
    parts.push(`query ${q.name} ${'exact' in q.value ? `= ${q.value.exact}` : `~ ${q.value.regex}`}`);
  return parts.join(', ');
}

function targetDetail(t: NormalizedTarget): string {
  switch (t.kind) {
    case 'stdio':
      // Arguments can carry secrets (`--token=…`): show how many, not what (see redact.ts).
      return [t.cmd, ...t.args.map(() => REDACTED)].join(' ');
    case 'mcp':
    case 'sse':
      return t.url;
    case 'openapi':
      return t.baseUrl;
  }
}
