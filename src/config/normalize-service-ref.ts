/**
 * `backend: <name>` references of a route's extAuthz and requestMirror (agentgateway's "explicit backend
 * reference", defined in the top-level `backends` list), resolved at load to the named backend's
 * `host: "hostname:port"`. A name that does not exist, or names an `mcp` backend, is a load error; the
 * policies then only ever see `host`.
 */
import type { NamedBackendConfig, RoutePoliciesConfig } from './schema/index.js';
import type { ConfigPath } from './types.js';

type Named = ReadonlyMap<string, { readonly backend: NamedBackendConfig; readonly at: ConfigPath }>;
type Report = (at: ConfigPath, message: string) => void;

function hostOf(name: string, named: Named, at: ConfigPath, report: Report): string | undefined {
  const def = named.get(name)?.backend;
  if (!def) {
    const known = [...named.keys()];
    report(
      at,
      `unknown backend "${name}"${known.length ? ` (known: ${known.join(', ')})` : ' (there is no top-level `backends:`)'}`,
    );
    return undefined;
  }
  if (!('host' in def)) {
    report(at, `backend "${name}" is not a \`host\` backend: a policy's service needs an address`);
    return undefined;
  }
  return def.host;
}

/** The policies with every extAuthz / requestMirror `backend:` replaced by its `host:`. */
export function resolveServiceRefs(
  p: RoutePoliciesConfig,
  at: ConfigPath,
  named: Named,
  report: Report,
): RoutePoliciesConfig {
  let out = p;
  const ea = p.extAuthz;
  if (ea?.backend !== undefined) {
    const host = hostOf(ea.backend, named, [...at, 'extAuthz', 'backend'], report);
    const { backend: _ref, ...rest } = ea;
    if (host) out = { ...out, extAuthz: { ...rest, host } };
  }
  const mirror = p.requestMirror;
  if (mirror?.backend.backend !== undefined) {
    const host = hostOf(
      mirror.backend.backend,
      named,
      [...at, 'requestMirror', 'backend', 'backend'],
      report,
    );
    if (host) out = { ...out, requestMirror: { ...mirror, backend: { host } } };
  }
  return out;
}
