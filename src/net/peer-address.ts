/**
 * One spelling of a peer's address everywhere — CEL `source.address`, the access log's `src.addr`,
 * span attributes: node reports IPv4 peers of a dual-stack (`::`) socket as `::ffff:127.0.0.1`;
 * agentgateway, and every operator, write `127.0.0.1`.
 */

/** `::ffff:127.0.0.1` → `127.0.0.1`; any other address unchanged. */
export function canonicalAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/** `127.0.0.1:51234`, `[::1]:40000` — the canonical address with its port, IPv6 in brackets. */
export function formatPeer(address: string | undefined, port: number | undefined): string {
  const a = canonicalAddress(address ?? '');
  return `${a.includes(':') ? `[${a}]` : a}:${port ?? 0}`;
}
