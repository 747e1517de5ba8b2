/**
 * backendTLS: TLS options for the HTTPS calls to a route's upstreams (`mcp`/`sse`/
 * `openapi` targets over https, `host` backends). Files are read and checked once per build; the result
 * is a set of `tls.connect` options plus a key that is equal for equal settings and file contents, so
 * connection pools keyed by it never share a connection between two different trust settings.
 */
import { createHash } from 'node:crypto';
import type { BackendTlsConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { BackendTlsConnect, CompiledBackendTls } from '../types.js';
import { parseCertificates, parsePrivateKey } from './pem.js';

/** Undici offers exactly this ALPN list on every TLS connection (it speaks HTTP/1.1 to upstreams). */
const OFFERED_ALPN = ['http/1.1'];

export function compileBackendTls(
  cfg: BackendTlsConfig,
  ctx: BuildContext,
  at: ConfigPath,
): CompiledBackendTls {
  if ((cfg.cert === undefined) !== (cfg.key === undefined)) {
    const missing = cfg.cert === undefined ? 'cert' : 'key';
    throw ctx.error([...at, missing], `a client certificate needs both cert and key (${missing} is missing)`);
  }
  const read = <T>(field: 'cert' | 'key' | 'root', check: (pem: string) => T): { pem: string; value: T } => {
    const fat = [...at, field];
    const pem = ctx.readFile(cfg[field]!, fat);
    try {
      return { pem, value: check(pem) };
    } catch (e) {
      throw ctx.error(fat, `${cfg[field]}: ${(e as Error).message}`);
    }
  };
  const root = cfg.root !== undefined ? read('root', parseCertificates) : undefined;
  const cert = cfg.cert !== undefined ? read('cert', parseCertificates) : undefined;
  const key = cfg.key !== undefined ? read('key', parsePrivateKey) : undefined;
  if (cert && key && !cert.value[0]!.checkPrivateKey(key.value)) {
    throw ctx.error([...at, 'key'], `${cfg.key}: the private key does not match the certificate ${cfg.cert}`);
  }
  const insecure = cfg.insecure === true;
  const insecureHost = cfg.insecureHost === true && !insecure;
  if (insecure) ctx.warn([...at, 'insecure'], 'upstream certificates are not verified (insecure: true)');
  else if (insecureHost) {
    ctx.warn([...at, 'insecureHost'], 'upstream certificate hostnames are not verified (insecureHost: true)');
  }
  if (cfg.alpn && cfg.alpn.join(',') !== OFFERED_ALPN.join(',')) {
    ctx.warn(
      [...at, 'alpn'],
      `not applied: upstream connections always offer ${JSON.stringify(OFFERED_ALPN)}`,
    );
  }

  const connect: BackendTlsConnect = {
    ...(root ? { ca: root.pem } : {}),
    ...(cert && key ? { cert: cert.pem, key: key.pem } : {}),
    ...(cfg.hostname !== undefined ? { servername: cfg.hostname } : {}),
    ...(insecure ? { rejectUnauthorized: false } : {}),
    ...(insecureHost ? { checkServerIdentity: skipHostnameCheck } : {}),
  };
  const fingerprint = JSON.stringify([root?.pem, cert?.pem, key?.pem, cfg.hostname, insecure, insecureHost]);
  const hash = createHash('sha256').update(fingerprint).digest('base64url').slice(0, 16);
  return { key: `tls:${hash}`, connect };
}

/** insecureHost: the chain is still verified (rejectUnauthorized stays on); only the name check is skipped. */
function skipHostnameCheck(): undefined {
  return undefined;
}
