/** A fake AdminBackend for the admin server tests: canned answers plus a record of calls. */
import type { SessionInfo } from '../../src/mcp/backend.js';
import { redactSecrets } from '../../src/admin/redact.js';
import {
  AdminError,
  type AdminBackend,
  type AdminSummary,
  type ConfigIssue,
  type EndpointInfo,
  type ExplainOptions,
  type LogLevel,
  type ReadyState,
} from '../../src/admin/types.js';

export const SECRET_CONFIG = {
  binds: [
    {
      port: 3000,
      listeners: [
        {
          routes: [
            {
              policies: {
                jwtAuth: {
                  issuer: 'me',
                  jwks: JSON.stringify({
                    keys: [{ kty: 'RSA', n: 'public-n', e: 'AQAB', d: 'PRIVATE-D', p: 'PRIVATE-P' }],
                  }),
                },
                backendAuth: { key: 'sk-live-BACKEND-KEY' },
                requestHeaderModifier: {
                  set: { Authorization: 'Bearer UPSTREAM-TOKEN', 'x-trace': 'keep-me' },
                },
              },
              backends: [
                {
                  mcp: {
                    targets: [
                      {
                        name: 'gh',
                        stdio: { cmd: 'gh-mcp', env: { GITHUB_TOKEN: 'ghp_SECRET', LOG_LEVEL: 'debug' } },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

export interface FakeBackend extends AdminBackend {
  readonly calls: { method: string; args: unknown[] }[];
  readyState: ReadyState;
  configFromFile: boolean;
  level: LogLevel;
  quitCount: number;
}

export const ISSUE: ConfigIssue = {
  file: '/etc/portcullis/config.yaml',
  line: 7,
  column: 9,
  path: 'binds.0.listeners.0.routes.0.policies.mcpAuthorization.rules.0',
  message: 'CEL: undeclared reference to "jwtt"',
};

export function fakeBackend(endpoints: EndpointInfo[] = []): FakeBackend {
  const calls: FakeBackend['calls'] = [];
  const rec = (method: string, ...args: unknown[]) => calls.push({ method, args });
  const session: SessionInfo = {
    id: 's-1',
    backend: 'mcp',
    transport: 'streamable',
    protocolVersion: '2025-06-18',
    sub: 'test-user',
    createdAt: 1,
    lastActiveAt: 2,
    targets: [{ name: 'everything', kind: 'stdio', pid: 42 }],
  };
  const summary: AdminSummary = {
    version: '0.1.0',
    configFile: '/etc/portcullis/config.yaml',
    reload: { ok: true, at: '2026-01-01T00:00:00.000Z', errors: [], restartRequired: [] },
    listeners: [],
    routes: [],
    targets: [
      { name: 'everything', kind: 'stdio', detail: 'npx x', route: 'r', backend: 'mcp', status: 'ok' },
    ],
    sessions: 1,
  };
  const b: FakeBackend = {
    calls,
    readyState: { ready: false, pending: ['config'] },
    configFromFile: true,
    level: 'info',
    quitCount: 0,
    configJson() {
      rec('configJson');
      if (!b.configFromFile) throw new AdminError(404, 'the config did not come from a file');
      return SECRET_CONFIG;
    },
    configDump() {
      rec('configDump');
      return redactSecrets(SECRET_CONFIG);
    },
    async writeConfig(json, _opts) {
      rec('writeConfig', json);
      if ((json as { binds?: unknown }).binds === 'bad') {
        throw Object.assign(new Error('config is invalid'), { issues: [ISSUE] });
      }
    },
    reloadStatus() {
      return summary.reload;
    },
    sessions() {
      return [session];
    },
    async explain(token: string | undefined, opts?: ExplainOptions) {
      rec('explain', token, opts);
      return {
        identity: token ? { claims: { sub: 'test-user' } } : { claims: null },
        items: [
          {
            route: 'r',
            kind: 'tool',
            target: 'everything',
            name: 'echo',
            exposedName: 'echo',
            allowed: true,
            rule: { index: 0, ref: 'rules[0]', effect: 'allow', source: 'mcp.tool.name == "echo"' },
            reason: 'allowed by rules[0]',
          },
        ],
      };
    },
    endpoints() {
      return endpoints;
    },
    demoTokens() {
      return [{ name: 'example1', token: 'aaa.bbb.ccc' }];
    },
    summary() {
      return summary;
    },
    logLevel() {
      return b.level;
    },
    setLogLevel(level) {
      rec('setLogLevel', level);
      b.level = level;
    },
    quit() {
      b.quitCount++;
    },
    ready() {
      return b.readyState;
    },
  };
  return b;
}
