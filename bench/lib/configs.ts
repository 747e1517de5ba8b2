/** The gateway configs the benches run: the seed's policy stack in front of one Streamable HTTP target. */
import { AUDIENCE, ISSUER } from './keys.js';

/** The seed's three rules, with today's server-everything tool names. */
export const SEED_RULES = [
  'mcp.tool.name == "echo"',
  'jwt.sub == "test-user" && mcp.tool.name == "get-sum"',
  'mcp.tool.name == "get-env" && jwt.nested.key == "value"',
];

/** cors + jwtAuth (local JWKS file) + mcpAuthorization when `policies`; else a plain MCP proxy. */
export function gatewayYaml(upstreamUrl: string, jwksFile: string, policies: boolean): string {
  const stack = `    - policies:
        cors:
          allowOrigins: ["*"]
          allowHeaders: ["*"]
        jwtAuth:
          issuer: ${ISSUER}
          audiences: [${AUDIENCE}]
          jwks:
            file: ${JSON.stringify(jwksFile)}
        mcpAuthorization:
          rules:
${SEED_RULES.map((r) => `          - '${r}'`).join('\n')}
      backends:`;
  return `binds:
- port: 0
  address: 127.0.0.1
  listeners:
  - routes:
${policies ? stack : '    - backends:'}
      - mcp:
          targets:
          - name: upstream
            mcp:
              host: ${JSON.stringify(upstreamUrl)}
`;
}

/** A gateway configuration under test. */
export interface Variant {
  readonly label: string;
  readonly policies: boolean;
  readonly logLevel: string;
}

/** The seed stack; with `all`, also log level silent (no access log) and no policies (plain proxy). */
export function variants(logLevel: string, all: boolean): Variant[] {
  return [
    { label: 'gateway', policies: true, logLevel },
    ...(all
      ? [
          { label: 'gw, log silent', policies: true, logLevel: 'silent' },
          { label: 'gw, no policies', policies: false, logLevel },
        ]
      : []),
  ];
}
