/** The app's side of the admin seam: answers the admin API from the running gateway. */
import { parse as parseYaml } from 'yaml';
import { deriveEndpoints } from '../admin/endpoints.js';
import { redactSecrets } from '../admin/redact.js';
import { redactIssue } from '../admin/redact-issues.js';
import { restoreRedacted } from '../admin/redact-restore.js';
import { buildSummary } from '../admin/summary.js';
import { ADMIN_TOKEN_ENV } from '../admin/token.js';
import { AdminError, type AdminBackend, type DemoToken, type LogLevel } from '../admin/types.js';
import { updateConfigText } from '../config/write.js';
import { setLevel } from '../telemetry/logger.js';
import { configYaml, validateConfigText, writeConfigYaml } from './admin-config-yaml.js';
import { explain } from './explain.js';
import type { Gateway } from './gateway.js';
import type { TargetHealth } from './target-health.js';
import { VERSION } from './version.js';

export interface AdminBackendOptions {
  readonly gateway: Gateway;
  readonly health: TargetHealth;
  readonly demoTokens: readonly DemoToken[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly quit: () => void;
}

export function createAdminBackend(o: AdminBackendOptions): AdminBackend {
  const gw = o.gateway;
  const logger = gw.deps.logger;
  const boundPorts = () => new Map(gw.addresses().map((a) => [a.key, a.port]));
  return {
    configJson() {
      const input = gw.configInput;
      if (!input.file)
        throw new AdminError(404, 'the config did not come from a file (started with -c or stdin)');
      return redactSecrets(parseYaml(input.text) ?? {});
    },
    configDump() {
      // Never the source text (`source.text`, `static.raw`): it holds every secret in the file.
      const { binds, static: st } = gw.config;
      const { raw: _raw, ...shownStatic } = st;
      return redactSecrets({ version: VERSION, static: shownStatic, binds });
    },
    async writeConfig(json, { authenticated }) {
      const input = gw.configInput;
      if (!input.file) throw new AdminError(409, 'the config did not come from a file: nothing to write');
      const text = updateConfigText(input.text, restoreRedacted(json, parseYaml(input.text) ?? {}));
      // Full validation first (parse, normalize, compile CEL/JWKS/TLS), so a bad edit is a 400 with
      // located errors and the file is never touched.
      const next = await validateConfigText(input, o.env, text);
      if (!authenticated) refuseNewCommands(gw.config, next);
      // Then the one reload path: write, apply (binds opened before the swap); the file is restored
      // when the gateway refuses it.
      const status = await gw.applyText(text);
      if (!status.ok)
        throw new AdminError(409, `config not applied: ${status.errors.map((e) => e.text).join('; ')}`);
      logger.info({ file: input.file }, 'config written from the admin API and applied');
    },
    reloadStatus() {
      const s = gw.reloadStatus();
      return {
        ok: s.ok,
        at: s.at,
        restartRequired: s.restartRequired,
        errors: s.errors.map((e) =>
          redactIssue({
            file: e.file ?? '',
            line: e.line ?? 0,
            column: e.column ?? 0,
            path: e.path ?? '',
            message: e.message,
          }),
        ),
      };
    },
    sessions: () => gw.mcp.sessions(),
    closeSession: (id) => gw.mcp.closeSession(id),
    configYaml: () => configYaml(gw),
    writeConfigYaml: (text, opts) =>
      writeConfigYaml(gw, o.env, text, {
        ...opts,
        // Without the admin token no stdio command may be added or changed (it runs a program).
        check: (next) => {
          if (!opts.authenticated) refuseNewCommands(gw.config, next);
        },
      }),
    explain: (token, opts) => explain(gw.snapshot, gw.upstreamFactory, logger, token, opts),
    endpoints: () => {
      const ports = boundPorts();
      return deriveEndpoints(gw.config, { boundPort: (k) => ports.get(k) });
    },
    demoTokens: () => [...o.demoTokens],
    summary() {
      return buildSummary(gw.config, {
        version: VERSION,
        reload: this.reloadStatus(),
        sessions: gw.mcp.sessions().length,
        targetStatus: (backend, target) => {
          const h = o.health.get(backend, target);
          return h.error ? { status: h.status, error: h.error } : { status: h.status };
        },
      });
    },
    logLevel: () => logger.level as LogLevel,
    setLogLevel: (level) => void setLevel(logger, level),
    quit: () => o.quit(),
    ready() {
      const pending: string[] = [];
      const bound = new Set(gw.addresses().map((a) => a.key));
      for (const b of gw.config.binds) if (!bound.has(b.key)) pending.push(`listener ${b.key}`);
      // Ready = config loaded and listeners up. Failing targets count only when the config asks
      // (`config.readiness.requireTargets`); health forgets targets a reload removed.
      if (gw.config.static.readiness.requireTargets)
        for (const h of o.health.allFailing())
          pending.push(`target ${h.target} (${h.backend}): ${h.error ?? 'failing'}`);
      // A remote JWKS without keys refuses its routes' tokens: degraded, or not ready when asked.
      const degraded: string[] = [];
      for (const j of gw.snapshot.jwks) {
        const why = j.unavailable();
        if (why !== undefined)
          (gw.config.static.readiness.requireJwks ? pending : degraded).push(`jwks ${j.url}: ${why}`);
      }
      return { ready: pending.length === 0, pending, ...(degraded.length > 0 ? { degraded } : {}) };
    },
  };
}

/**
 * A stdio target runs a command: without the admin token, `POST /config` may keep, remove or reorder the
 * stdio targets there are, never add one or change its command, arguments or environment.
 */
function refuseNewCommands(current: Gateway['config'], next: Gateway['config']): void {
  const known = new Set(stdioCommands(current));
  for (const c of stdioCommands(next))
    if (!known.has(c))
      throw new AdminError(
        403,
        `adding or changing a stdio target (it runs a command) needs the admin token: set ${ADMIN_TOKEN_ENV} ` +
          'and send it as Authorization: Bearer',
      );
}

function stdioCommands(config: Gateway['config']): string[] {
  const out: string[] = [];
  for (const b of config.binds)
    for (const l of b.listeners)
      for (const r of l.routes)
        for (const be of r.backends)
          if (be.kind === 'mcp')
            for (const t of be.targets)
              if (t.kind === 'stdio') out.push(JSON.stringify([t.cmd, t.args, Object.entries(t.env).sort()]));
  return out;
}
