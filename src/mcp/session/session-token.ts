/**
 * Self-contained MCP session ids. The `Mcp-Session-Id` a client receives is the session's state sealed
 * with AES-256-GCM: the identity binding, the upstream session id of every HTTP target and the upstream
 * endpoint each one is pinned to. Any replica that holds the key can open it and resume the session
 * against its HTTP upstreams without a shared store (docs/deploy.md).
 *
 * Format (base64url): version byte `1` ‖ key id (4 bytes) ‖ 12-byte IV ‖ ciphertext ‖ 16-byte tag. The key
 * id names which key of the ring sealed it, so a rotated-out key still opens old ids while the first key
 * seals new ones. Keys are imported once (no per-request derivation); a seal or an open is one GCM call.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  type KeyObject,
  createSecretKey,
} from 'node:crypto';
import { readFileSync } from 'node:fs';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 4;
const HEADER_BYTES = 1 + KEY_ID_BYTES + IV_BYTES;
/** Refuse to even try to open ids longer than this (a session id travels in a header on every request). */
export const MAX_SESSION_ID_CHARS = 4096;

/** What a sealed session id carries. Short keys: it travels on every request. */
export interface SessionState {
  /** Session identity binding (identity-binding.ts), or '' for an anonymous session. */
  readonly b: string;
  /** Route backend key the session belongs to. */
  readonly k: string;
  /** Negotiated protocol revision. */
  readonly p: string;
  /**
   * Per movable target: [target name, upstream Mcp-Session-Id or '' when the upstream has none, pinned
   * endpoint URL] and optionally [the protocol version negotiated with that upstream ('' = `p`), the
   * capability names its initialize announced, comma-separated].
   */
  readonly t: readonly SealedTarget[];
  /** Targets that cannot move (stdio, legacy SSE): a replica that did not create the session answers 404. */
  readonly l?: readonly string[];
  /** Issue time, epoch seconds; a unique nonce makes every id distinct. */
  readonly i: number;
  readonly n: string;
}

export type SealedTarget =
  readonly [string, string, string] | readonly [string, string, string, string, string];

export interface KeyringSource {
  /** Comma- or newline-separated keys: 64 hex chars or base64/base64url of 32 bytes. First seals, all open. */
  readonly keys?: string | undefined;
  /** A file holding keys in the same form (one per line); read once at start-up. */
  readonly keyFile?: string | undefined;
}

export class SessionKeyring {
  readonly ephemeral: boolean;
  private readonly keys: readonly { readonly id: number; readonly key: KeyObject }[];
  private readonly byId = new Map<number, KeyObject>();

  private constructor(raw: readonly Buffer[], ephemeral: boolean) {
    if (raw.length === 0) throw new Error('session keyring: no key');
    if (raw.length > 255) throw new Error('session keyring: at most 255 keys');
    this.ephemeral = ephemeral;
    this.keys = raw.map((bytes) => ({ id: keyId(bytes), key: createSecretKey(bytes) }));
    for (const k of this.keys) {
      if (this.byId.has(k.id))
        throw new Error('session keyring: two keys share a key id; generate a new key');
      this.byId.set(k.id, k.key);
    }
  }

  /** A random key for this process only: sessions do not survive a restart or move between replicas. */
  static ephemeral(): SessionKeyring {
    return new SessionKeyring([randomBytes(32)], true);
  }

  /** From `PORTCULLIS_SESSION_KEY` / `PORTCULLIS_SESSION_KEY_FILE`; undefined when neither is set. */
  static fromSource(src: KeyringSource): SessionKeyring | undefined {
    const texts: string[] = [];
    if (src.keys) texts.push(src.keys);
    if (src.keyFile) {
      let text: string;
      try {
        text = readFileSync(src.keyFile, 'utf8');
      } catch (e) {
        throw new Error(
          `session key file ${src.keyFile}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`,
        );
      }
      texts.push(text);
    }
    if (texts.length === 0) return undefined;
    const parts = texts
      .join('\n')
      .split('\n')
      .map((line) => line.replace(/#.*/, ''))
      .join(',')
      .split(/[\s,]+/)
      .filter(Boolean);
    if (parts.length === 0) throw new Error('session key: set but empty');
    return new SessionKeyring(parts.map(parseKey), false);
  }

  seal(state: SessionState): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = cipher.update(JSON.stringify(state), 'utf8');
    const final = cipher.final();
    const tag = cipher.getAuthTag();
    const out = Buffer.allocUnsafe(HEADER_BYTES + body.length + final.length + TAG_BYTES);
    out[0] = VERSION;
    out.writeUInt32BE(id, 1);
    iv.copy(out, 1 + KEY_ID_BYTES);
    body.copy(out, HEADER_BYTES);
    final.copy(out, HEADER_BYTES + body.length);
    tag.copy(out, HEADER_BYTES + body.length + final.length);
    return out.toString('base64url');
  }

  /** The state sealed in `id`, or undefined for anything that is not a valid id sealed by one of our keys. */
  open(id: string): SessionState | undefined {
    if (id.length > MAX_SESSION_ID_CHARS || id.length < 40 || !/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
    const buf = Buffer.from(id, 'base64url');
    if (buf.length < HEADER_BYTES + TAG_BYTES + 2 || buf[0] !== VERSION) return undefined;
    const key = this.byId.get(buf.readUInt32BE(1));
    if (!key) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(1 + KEY_ID_BYTES, HEADER_BYTES));
      decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(buf.subarray(HEADER_BYTES, buf.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return asState(JSON.parse(plain.toString('utf8')));
    } catch {
      return undefined;
    }
  }
}

/** A stable 4-byte id per key (from its SHA-256), so ids name their key without revealing it. */
function keyId(bytes: Buffer): number {
  return createHash('sha256').update('portcullis-session-key-id').update(bytes).digest().readUInt32BE(0);
}

function parseKey(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const b = Buffer.from(text, text.includes('+') || text.includes('/') ? 'base64' : 'base64url');
  if (b.length !== 32)
    throw new Error(
      'session key: expected 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)',
    );
  return b;
}

function asState(v: unknown): SessionState | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const s = v as Record<string, unknown>;
  if (typeof s['b'] !== 'string' || typeof s['k'] !== 'string' || typeof s['p'] !== 'string')
    return undefined;
  if (typeof s['i'] !== 'number' || typeof s['n'] !== 'string' || !Array.isArray(s['t'])) return undefined;
  for (const e of s['t'] as unknown[]) {
    if (!Array.isArray(e) || (e.length !== 3 && e.length !== 5) || !e.every((x) => typeof x === 'string'))
      return undefined;
  }
  if (
    s['l'] !== undefined &&
    (!Array.isArray(s['l']) || !(s['l'] as unknown[]).every((x) => typeof x === 'string'))
  )
    return undefined;
  return s as unknown as SessionState;
}
