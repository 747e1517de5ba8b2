/**
 * Sealing a session's id and reading one back (docs/deploy.md "Sessions across replicas").
 *
 * After `initialize` the id handed to the client is the session's state sealed by the keyring
 * (session-token.ts): a digest of its identity binding, the route backend key, the protocol revision and,
 * per HTTP target (Streamable HTTP, OpenAPI), the upstream session id, the endpoint, the version
 * negotiated with it and the capability names it announced. Targets that cannot move (stdio children,
 * legacy SSE streams, upstreams that speak only the stateless 2026-07-28 revision) are named in `l`: only
 * the process that holds them serves the session; anywhere else the id is unknown (404).
 *
 * Nothing here decides anything per request for a session this process holds: those are a Map hit.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Identity } from '../../contracts/request-context.js';
import type { NormalizedTarget } from '../../config/types.js';
import { isObject, type JsonObject } from '../protocol/messages.js';
import { identityKey } from './identity-binding.js';
import type { ResumedTarget, Session } from './session.js';
import type { SealedTarget, SessionState } from './session-token.js';

/** Why a sealed id was not resumed (the `result` label of portcullis_mcp_session_resume_total). */
export type ResumeRefusal = 'invalid' | 'expired' | 'identity' | 'backend' | 'pinned' | 'ended';

/** The identity binding as it travels: '' for anonymous, else 16 bytes of SHA-256 of the identity key. */
export function bindingDigest(key: string | undefined): string {
  return key === undefined
    ? ''
    : createHash('sha256')
        .update('portcullis-session-binding\0')
        .update(key)
        .digest('base64url')
        .slice(0, 22);
}

/** The state of an initialized Streamable HTTP session, ready to seal. */
export function sessionState(s: Session, nowMs: number): SessionState {
  const t: SealedTarget[] = [];
  const l: string[] = [];
  for (const slot of s.startedSlots ?? []) {
    const conn = slot.conn;
    if (!conn) continue; // failOpen: unavailable for the whole session, wherever it runs
    const target = slot.target;
    if ((target.kind !== 'mcp' && target.kind !== 'openapi') || conn.modern) {
      l.push(target.name);
      continue;
    }
    const version = conn.initResult?.protocolVersion;
    const caps = conn.initResult?.capabilities;
    t.push([
      target.name,
      conn.upstream.sessionId ?? '',
      endpointOf(target),
      typeof version === 'string' && version !== s.protocolVersion ? version : '',
      isObject(caps) ? Object.keys(caps).join(',') : '',
    ]);
  }
  return {
    b: bindingDigest(s.identityKey),
    k: s.backendKey,
    p: s.protocolVersion,
    t,
    ...(l.length > 0 ? { l } : {}),
    i: Math.floor(nowMs / 1000),
    n: randomBytes(6).toString('base64url'),
  };
}

/**
 * Whether `state` may continue here, for this caller, on this backend: the reason when not. Every refusal
 * is answered the same way (404, as an unknown id), so the answer tells a caller nothing about the id.
 */
export function refusal(
  state: SessionState,
  backend: { readonly key: string; readonly targets: readonly NormalizedTarget[] },
  identity: Identity | null,
  maxAgeMs: number,
  nowMs: number,
): ResumeRefusal | undefined {
  if (nowMs - state.i * 1000 > maxAgeMs) return 'expired';
  if (state.b !== bindingDigest(identity ? identityKey(identity) : undefined)) return 'identity';
  if (state.k !== backend.key) return 'backend';
  if (state.l && state.l.length > 0) return 'pinned';
  for (const [name, , endpoint] of state.t) {
    const target = backend.targets.find((x) => x.name === name);
    if (!target || endpointOf(target) !== endpoint) return 'backend';
  }
  return undefined;
}

/** The targets of a sealed state, as the session resumes them. */
export function resumedTargets(state: SessionState): ResumedTarget[] {
  return state.t.map((e) => {
    const capabilities: JsonObject = {};
    for (const c of (e[4] ?? '').split(',')) if (c) capabilities[c] = {};
    return { name: e[0], sessionId: e[1], protocolVersion: e[3] || state.p, capabilities };
  });
}

/** A digest of a sealed id: what the shared "ended" record is keyed by (never the id itself). */
export function idDigest(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

function endpointOf(t: NormalizedTarget): string {
  return t.kind === 'mcp' || t.kind === 'sse' ? t.url : t.kind === 'openapi' ? t.baseUrl : '';
}
