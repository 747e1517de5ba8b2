/** The provider locations derived from an issuer alone (src/policies/mcp-authentication/providers.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adaptMetadata } from '../../src/policies/mcp-authentication/adapt.js';
import {
  defaultJwksUrl,
  entraEndpoints,
  metadataSourceUrl,
  registrationTarget,
} from '../../src/policies/mcp-authentication/providers.js';

describe('provider locations', () => {
  it('entra: the v1 issuer (sts.windows.net) maps to the login host, v2.0 endpoints', () => {
    const e = entraEndpoints('https://sts.windows.net/tid/');
    assert.equal(
      e.openidConfiguration,
      'https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration',
    );
    assert.equal(e.jwksUri, 'https://login.microsoftonline.com/tid/discovery/v2.0/keys');
    assert.equal(e.tokenEndpoint, 'https://login.microsoftonline.com/tid/oauth2/v2.0/token');
    const v2 = entraEndpoints('https://login.microsoftonline.us/tid/v2.0');
    assert.equal(v2.authorizationEndpoint, 'https://login.microsoftonline.us/tid/oauth2/v2.0/authorize');
    assert.throws(() => entraEndpoints('https://login.microsoftonline.com/'), /tenant/);
  });

  it('no provider and auth0: RFC 8414 metadata with the issuer path after the well-known segment', () => {
    assert.equal(
      metadataSourceUrl('https://as.example/tenant/a/', undefined),
      'https://as.example/.well-known/oauth-authorization-server/tenant/a',
    );
    assert.equal(
      metadataSourceUrl('https://x.auth0.com/', 'auth0'),
      'https://x.auth0.com/.well-known/oauth-authorization-server',
    );
  });

  it('OpenID configuration for keycloak, okta, descope, authentik', () => {
    for (const p of ['keycloak', 'okta', 'descope', 'authentik'] as const)
      assert.equal(
        metadataSourceUrl('https://i.example/r/', p),
        'https://i.example/r/.well-known/openid-configuration',
      );
  });

  it('JWKS and registration locations', () => {
    assert.equal(
      defaultJwksUrl('https://a.example/application/o/app/', 'authentik'),
      'https://a.example/application/o/app/jwks/',
    );
    assert.equal(
      defaultJwksUrl('https://api.descope.com/v1/apps/agentic/P/S', 'descope'),
      'https://api.descope.com/P/.well-known/jwks.json',
    );
    assert.equal(
      defaultJwksUrl('https://d.example/P', 'descope'),
      'https://d.example/P/.well-known/jwks.json',
    );
    assert.deepEqual(registrationTarget('https://o.okta.com/oauth2/default', 'okta'), {
      url: 'https://o.okta.com/oauth2/v1/clients',
    });
    assert.deepEqual(registrationTarget('https://api.descope.com/v1/apps/agentic/P/S', 'descope'), {
      url: 'https://api.descope.com/v1/mgmt/mcp/client/P/S/register',
    });
    assert.ok('unsupported' in registrationTarget('https://login.microsoftonline.com/t/v2.0', 'entra'));
    assert.ok('unsupported' in registrationTarget('https://a.example/application/o/app/', 'authentik'));
  });

  it('an issuer that is not a URL (with jwks configured) derives without throwing', () => {
    assert.equal(
      metadataSourceUrl('agentgateway.dev', undefined),
      'agentgateway.dev/.well-known/oauth-authorization-server',
    );
    assert.ok('unsupported' in registrationTarget('agentgateway.dev', 'okta'));
    assert.ok('unsupported' in registrationTarget('agentgateway.dev', 'descope'));
  });

  it('served metadata: the gateway is the issuer with a provider; without one the document is unchanged', () => {
    const upstream = {
      issuer: 'https://idp',
      authorization_endpoint: 'https://idp/authorize?x=1',
      registration_endpoint: 'https://idp/register',
    };
    const self = 'https://gw/.well-known/oauth-authorization-server/mcp';
    assert.deepEqual(
      adaptMetadata(upstream, { provider: undefined, audience: 'a' }, self, 'https://gw/mcp'),
      upstream,
    );
    assert.deepEqual(
      adaptMetadata(upstream, { provider: 'keycloak', audience: 'a' }, self, 'https://gw/mcp'),
      {
        issuer: 'https://gw/mcp',
        authorization_endpoint: 'https://idp/authorize?x=1',
        registration_endpoint: `${self}/client-registration`,
      },
    );
    assert.deepEqual(
      adaptMetadata(upstream, { provider: 'auth0', audience: 'api' }, self, 'https://gw/mcp'),
      {
        issuer: 'https://gw/mcp',
        authorization_endpoint: 'https://idp/authorize?x=1&audience=api',
        registration_endpoint: 'https://idp/register',
      },
    );
  });
});
