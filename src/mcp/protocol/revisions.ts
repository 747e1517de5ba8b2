/**
 * MCP protocol revisions the gateway speaks to clients. Legacy revisions (2024-11-05 … 2025-11-25) use the
 * `initialize` handshake and sessions; the modern revision 2026-07-28 is stateless (per-request `_meta`).
 * Upstreams are spoken to with the legacy handshake, or the modern one when they refuse `initialize`
 * (see docs/mcp.md, "The stateless revision 2026-07-28").
 */
export const MODERN_VERSION = '2026-07-28';
export const LATEST_LEGACY_VERSION = '2025-11-25';
export const LEGACY_VERSIONS: readonly string[] = [
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
];
export const SUPPORTED_VERSIONS: readonly string[] = [MODERN_VERSION, ...LEGACY_VERSIONS];

/** `_meta` keys of the 2026-07-28 per-request protocol fields. */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

export function isSupportedVersion(v: string): boolean {
  return SUPPORTED_VERSIONS.includes(v);
}

export function isLegacyVersion(v: string): boolean {
  return LEGACY_VERSIONS.includes(v);
}

/** Modern = a revision that carries version and capabilities per request (2026-07-28 and later). */
export function isModernVersion(v: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(v) && v >= MODERN_VERSION;
}

/** Revisions are dates, so the lowest is the lexicographic minimum. */
export function lowestVersion(versions: readonly string[]): string | undefined {
  let low: string | undefined;
  for (const v of versions) if (low === undefined || v < low) low = v;
  return low;
}

/** The version the gateway answers a legacy `initialize` with when it negotiates itself. */
export function negotiateLegacy(requested: unknown): string {
  return typeof requested === 'string' && isLegacyVersion(requested) ? requested : LATEST_LEGACY_VERSION;
}
