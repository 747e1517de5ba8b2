/**
 * `portcullis explain`: what an identity may see and call, printed for people. Exit codes (also in
 * `portcullis explain --help`): 0 every target listed; 1 the token is rejected (or, without a token,
 * every MCP route refuses anonymous callers) or `--tool` names no tool; 3 some targets are down.
 * The listing itself is src/app/explain.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { ExplainItem, ExplainResult } from '../admin/api.js';
import { explain } from '../app/explain.js';
import { loadConfig, type ConfigInput } from '../config/load.js';
import { createUpstreamFactory } from '../mcp/upstream/factory.js';
import { buildSnapshot } from '../runtime/build.js';
import type { RuntimeRoute, Snapshot } from '../runtime/snapshot.js';
import { NOOP_TELEMETRY } from '../telemetry/hooks.js';
import { escapeControl } from '../telemetry/escape.js';

export const EXPLAIN_EXIT = { ok: 0, rejected: 1, noSuchTool: 1, targetsDown: 3 } as const;

export interface ExplainCommandOptions {
  readonly token: string | undefined;
  readonly tool: string | undefined;
}

type Write = (s: string) => void;

/** The token itself, or the contents of the file it names. */
export function readToken(token: string | undefined): string | undefined {
  return token && existsSync(token) ? readFileSync(token, 'utf8').trim() : token;
}

export async function runExplainCommand(
  input: ConfigInput,
  o: ExplainCommandOptions,
  out: Write,
  err: Write,
): Promise<number> {
  const logger = pino({ level: 'warn' }, process.stderr);
  const snap = await buildSnapshot(loadConfig(input, process.env), 0);
  const factory = createUpstreamFactory({ telemetry: NOOP_TELEMETRY });
  try {
    const token = readToken(o.token);
    if (token === undefined) {
      const refused = await refusingAnonymous(snap);
      for (const x of refused)
        err(`route ${x.route} answers 401 Unauthorized to callers without a token: ${clean(x.reason)}\n`);
      const mcpRoutes = snap.binds.flatMap((b) => b.listeners.flatMap((l) => l.routes));
      if (
        refused.length > 0 &&
        refused.length === mcpRoutes.filter((r) => r.backend?.kind === 'mcp').length
      ) {
        err('Give a token with --token to see what it may do.\n');
        return EXPLAIN_EXIT.rejected;
      }
    }
    const r = await explain(snap, factory, logger, token);
    return printExplain(r, o.tool, out, err);
  } finally {
    snap.close();
    await factory.close();
  }
}

function mcpRoutes(snap: Snapshot): RuntimeRoute[] {
  return snap.binds
    .flatMap((b) => b.listeners.flatMap((l) => l.routes))
    .filter((r) => r.backend?.kind === 'mcp');
}

/** MCP routes whose authentication refuses a caller without a token (jwtAuth `mode: strict`). */
async function refusingAnonymous(snap: Snapshot): Promise<{ route: string; reason: string }[]> {
  const out: { route: string; reason: string }[] = [];
  for (const route of mcpRoutes(snap)) {
    const auth = route.policies.jwtAuth ?? route.policies.mcpAuthentication?.authenticator;
    if (!auth) continue;
    try {
      await auth.authenticate({});
    } catch (e) {
      out.push({ route: route.key, reason: e instanceof Error ? e.message : 'rejected' });
    }
  }
  return out;
}

/** Prints an explain result and returns the exit code. */
export function printExplain(r: ExplainResult, tool: string | undefined, out: Write, err: Write): number {
  if (r.identity.error) {
    err(
      `token rejected: ${clean(r.identity.error)}\n` +
        'The gateway would answer 401 Unauthorized to this token on routes with jwtAuth or mcpAuthentication; ' +
        'nothing is listed. Without --token, explain shows what an anonymous caller may do.\n',
    );
    return EXPLAIN_EXIT.rejected;
  }
  out(
    r.identity.claims
      ? `identity: ${clean(JSON.stringify(r.identity.claims))}\n`
      : 'identity: anonymous (no token)\n',
  );
  const items = tool
    ? r.items.filter((it) => it.kind === 'tool' && (it.name === tool || it.exposedName === tool))
    : r.items;
  for (const it of items) out(itemLine(it));
  for (const e of r.external ?? [])
    out(`NOTE    ${clean(e.line)} — decides at request time (${clean(e.route)})\n`);
  for (const j of r.jwks ?? [])
    out(
      `NOTE    jwks ${clean(j.url)}: ${clean(j.error)} — tokens of its routes are refused until it answers\n`,
    );
  const down = r.targetErrors ?? [];
  for (const t of down) out(downLine(t));
  if (tool && items.length === 0) {
    const known = [...new Set(r.items.filter((it) => it.kind === 'tool').map((it) => it.exposedName))];
    const list = known.length ? `; tools clients see: ${known.slice(0, 20).map(clean).join(', ')}` : '';
    const partial = down.length ? ' (some targets are down, see above)' : '';
    err(`no tool "${clean(tool)}" on any route${partial}${list}\n`);
    return EXPLAIN_EXIT.noSuchTool;
  }
  return down.length ? EXPLAIN_EXIT.targetsDown : EXPLAIN_EXIT.ok;
}

function itemLine(it: ExplainItem): string {
  const verdict = it.allowed ? 'ALLOW' : 'DENY ';
  // Rules see the upstream's own name and the target apart; clients see the prefixed name.
  const seen =
    it.exposedName !== it.name
      ? `  (rules see mcp.${it.kind}.name "${clean(it.name)}", mcp.${it.kind}.target "${clean(it.target)}")`
      : '';
  return `${verdict} ${it.kind.padEnd(8)} ${clean(it.exposedName).padEnd(32)} ${clean(it.reason)}${seen}\n`;
}

function downLine(t: NonNullable<ExplainResult['targetErrors']>[number]): string {
  const others = t.targets - 1;
  const mode =
    t.failureMode === 'failClosed'
      ? others > 0
        ? ` — failureMode: failClosed, so every client of route ${t.route} gets an error while it is down; ` +
          `failureMode: failOpen would serve the other ${others} target${others === 1 ? '' : 's'}`
        : ` — clients of route ${t.route} get an error while it is down`
      : ' — failureMode: failOpen: clients are served the other targets';
  return `DOWN  target   ${clean(t.target)} (route ${t.route}): ${clean(t.message)}${mode}\n`;
}

/** Upstream names and messages are untrusted: never let them drive the terminal. */
function clean(s: string): string {
  return escapeControl(s);
}
