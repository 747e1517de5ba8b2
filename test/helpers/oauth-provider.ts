/**
 * An in-memory OAuth client provider for the SDK client: it records where the SDK would send the user
 * (`redirectedTo`) instead of opening a browser, so tests can follow the discovery → registration →
 * authorization-URL flow against the gateway's RFC 9728 metadata.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
} from '@modelcontextprotocol/sdk/shared/auth.js';

export class MemoryProvider implements OAuthClientProvider {
  redirectedTo: URL | undefined;
  client: OAuthClientInformationMixed | undefined;
  verifier = '';
  constructor(private readonly clientName = 'portcullis-test') {}
  get redirectUrl(): string {
    return 'http://localhost:1/callback';
  }
  get clientMetadata(): OAuthClientMetadata {
    return { redirect_uris: ['http://localhost:1/callback'], client_name: this.clientName };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(c: OAuthClientInformationMixed) {
    this.client = c;
  }
  tokens() {
    return undefined;
  }
  saveTokens() {}
  redirectToAuthorization(u: URL) {
    this.redirectedTo = u;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}
