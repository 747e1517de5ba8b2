/**
 * The answer to an RFC 7591 client registration when mcpAuthentication sets `clientId`: the gateway
 * creates nothing upstream, it hands out the pre-registered public client. Only the requested
 * `redirect_uris` are echoed (strict MCP clients check them); a `client_id` the caller sent is ignored.
 */
export function mockRegistration(body: Buffer, clientId: string): Record<string, unknown> {
  let redirectUris: unknown = [];
  try {
    const req: unknown = JSON.parse(body.toString('utf8'));
    if (
      typeof req === 'object' &&
      req !== null &&
      Array.isArray((req as { redirect_uris?: unknown }).redirect_uris)
    )
      redirectUris = (req as { redirect_uris: unknown[] }).redirect_uris;
  } catch {
    // not JSON: no redirect URIs to echo
  }
  return {
    client_id: clientId,
    client_id_issued_at: 0,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: redirectUris,
  };
}
