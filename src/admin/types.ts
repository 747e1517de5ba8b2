/**
 * The seam between the admin/readiness servers and the running gateway. The app implements
 * `AdminBackend`; the servers only translate HTTP to these calls (and never see the runtime itself).
 */
import type { SessionInfo } from '../mcp/backend.js';
import type {
  AdminSummary,
  ConfigIssue,
  DemoToken,
  EndpointInfo,
  ExplainOptions,
  ExplainResult,
  LogLevel,
  ReadyState,
  ReloadStatus,
  SessionView,
} from './api.js';

export type * from './api.js';

export interface AdminBackend {
  /**
   * The config file as JSON, secrets redacted (`redactSecrets`). Throws (an AdminError 404/409 is best)
   * when the config did not come from a file.
   */
  configJson(): unknown;
  /** The normalized runtime config without its source text, secrets redacted (use `redactSecrets`). */
  configDump(): unknown;
  /**
   * Validate `json` as a complete config and write it to the config file (the watcher then applies it).
   * Redacted values left as shown keep the file's value (`restoreRedacted`). Adding or changing a stdio
   * target (it runs a command) needs `authenticated` (the request carried the admin token).
   * Throws an error with `issues: ConfigIssue[]` when invalid; an AdminError for other refusals.
   */
  writeConfig(json: unknown, opts: { readonly authenticated: boolean }): Promise<void>;
  reloadStatus(): ReloadStatus;
  sessions(): SessionInfo[];
  /** What the identity behind `token` (undefined: anonymous) may do on each route's MCP backend. */
  explain(token: string | undefined, opts?: ExplainOptions): Promise<ExplainResult>;
  /** Client-facing endpoints (see `deriveEndpoints`). */
  endpoints(): EndpointInfo[];
  /** Tokens to try in the Playground: the quickstart's demo tokens, else []. */
  demoTokens(): DemoToken[];
  /** Listeners, routes, targets with live status (see `buildSummary`). */
  summary(): AdminSummary;
  logLevel(): LogLevel;
  setLogLevel(level: LogLevel): void;
  /** Begin a graceful shutdown. Called after the `/quitquitquit` response is sent. */
  quit(): void;
  /** Readiness: config loaded, listeners bound, stdio targets not failing. */
  ready(): ReadyState;
  /** The config file as YAML text, secrets redacted (`redactYamlText`). Absent: no YAML view. */
  configYaml?(): string;
  /**
   * Validate an edited YAML text (its redacted secrets restored) like a reload and, unless `dryRun`, write
   * it. Throws like `writeConfig`; issue lines are the edited text's.
   */
  writeConfigYaml?(
    text: string,
    opts: { readonly dryRun: boolean; readonly authenticated: boolean },
  ): Promise<void>;
  /** End one MCP session; false when no open session has this id. */
  closeSession?(id: string): Promise<boolean>;
}

/** An error the admin API reports with a specific HTTP status and a safe message. */
export class AdminError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'AdminError';
    this.status = status;
  }
}

/** A config validation failure as `writeConfig` throws it (the config loader's error has this shape). */
export interface ConfigIssuesError extends Error {
  readonly issues: readonly ConfigIssue[];
}

export function hasConfigIssues(e: unknown): e is ConfigIssuesError {
  return e instanceof Error && Array.isArray((e as Partial<ConfigIssuesError>).issues);
}

// The UI reads SessionInfo through the wire type: keep the two in step (compile-time check).
const _sessionShape: (s: SessionInfo) => SessionView = (s) => s;
void _sessionShape;
