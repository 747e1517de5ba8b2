/** The gateway configs of hotpath.bench.ts (one YAML text each; the seed stack comes from configs.ts). */
import { AUDIENCE, ISSUER } from './keys.js';

const head = `binds:
- port: 0
  address: 127.0.0.1
  listeners:
  - routes:
`;

function jwt(jwksFile: string): string {
  return `        jwtAuth:
          issuer: ${ISSUER}
          audiences: [${AUDIENCE}]
          jwks:
            file: ${JSON.stringify(jwksFile)}
`;
}

/** Ten rules: seven that name one tool each, three broader ones (prefix, claim and tool together). */
export const TEN_RULES = [
  'mcp.tool.name == "echo"',
  'jwt.sub == "test-user" && mcp.tool.name == "get-sum"',
  'mcp.tool.name == "get-env" && jwt.nested.key == "value"',
  'mcp.tool.name == "tool-004"',
  'mcp.tool.name == "tool-005" && jwt.sub == "someone-else"',
  'mcp.tool.name == "tool-006"',
  'mcp.tool.name == "tool-007"',
  'jwt.sub == "test-user" && mcp.tool.name.startsWith("tool-1")',
  'jwt.nested.key == "value" && mcp.tool.name.endsWith("0")',
  'mcp.tool.name.contains("-19")',
];

/** jwtAuth + `rules` in front of one Streamable HTTP target. */
export function rulesYaml(upstreamUrl: string, jwksFile: string, rules: readonly string[]): string {
  return `${head}    - policies:
${jwt(jwksFile)}        mcpAuthorization:
          rules:
${rules.map((r) => `          - '${r}'`).join('\n')}
      backends:
      - mcp:
          targets:
          - name: upstream
            mcp:
              host: ${JSON.stringify(upstreamUrl)}
`;
}

/** No policies; one stdio target: `command args…` (one child per session). */
export function stdioYaml(command: string, args: readonly string[]): string {
  return `${head}    - backends:
      - mcp:
          targets:
          - name: upstream
            stdio:
              cmd: ${JSON.stringify(command)}
              args: [${args.map((a) => JSON.stringify(a)).join(', ')}]
`;
}

/** No policies; the targets multiplexed (tool names prefixed with the target's name). */
export function multiplexYaml(targets: readonly { name: string; url: string }[]): string {
  return `${head}    - backends:
      - mcp:
          targets:
${targets.map((t) => `          - name: ${t.name}\n            mcp:\n              host: ${JSON.stringify(t.url)}`).join('\n')}
`;
}

/** No policies, session limits above `sessions` (the idle-sessions scenario). */
export function manySessionsYaml(upstreamUrl: string, sessions: number): string {
  return `config:
  limits:
    sessions: ${sessions}
    sessionsPerIdentity: ${sessions}
${head}    - backends:
      - mcp:
          targets:
          - name: upstream
            mcp:
              host: ${JSON.stringify(upstreamUrl)}
`;
}

/**
 * `routes` routes on paths /r0/mcp … /r<n-1>/mcp, each jwtAuth + three rules in front of the upstream;
 * `variant` changes one rule of every route, so two variants differ everywhere (a real reload).
 */
export function manyRoutesYaml(
  upstreamUrl: string,
  jwksFile: string,
  routes: number,
  variant: number,
): string {
  const out: string[] = [];
  for (let i = 0; i < routes; i++) {
    out.push(`    - name: r${i}
      matches:
      - path: { pathPrefix: /r${i}/ }
      policies:
${jwt(jwksFile)}        mcpAuthorization:
          rules:
          - 'mcp.tool.name == "echo"'
          - 'jwt.sub == "test-user" && mcp.tool.name == "get-sum"'
          - 'mcp.tool.name == "tool-${String((i + variant) % 50).padStart(3, '0')}"'
      backends:
      - mcp:
          targets:
          - name: upstream
            mcp:
              host: ${JSON.stringify(upstreamUrl)}`);
  }
  return head + out.join('\n') + '\n';
}
