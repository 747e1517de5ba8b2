/**
 * Copy-ready client set-ups for a gateway endpoint that wants a bearer token: Claude Desktop (through
 * `mcp-remote`), Claude Code, Cursor, VS Code and MCP Inspector. Pure functions with no imports, so
 * docs/clients.md (checked by a test against these) and the admin UI's "Connect a client" panel show the
 * same text.
 */

export interface SnippetOptions {
  /** The Streamable HTTP URL, e.g. `http://localhost:3000/mcp`. */
  readonly url: string;
  /** What stands for the token in the snippets (a placeholder such as `<TOKEN>`, or a demo token). */
  readonly token?: string;
  /** The server's name in the client's config. */
  readonly name?: string;
  /** False for an endpoint without authentication: no header at all. */
  readonly auth?: boolean;
}

export interface ClientSnippets {
  /** `claude_desktop_config.json` (JSON): `mcp-remote` bridges stdio to the gateway and adds the header. */
  readonly claudeDesktop: string;
  /** Shell: `claude mcp add --transport http …`. */
  readonly claudeCode: string;
  /** `~/.cursor/mcp.json` or `.cursor/mcp.json` (JSON): `url` + `headers`. */
  readonly cursor: string;
  /** `.vscode/mcp.json` (JSON): `servers` with `type: http`, the token asked once through `inputs`. */
  readonly vscode: string;
  /** Shell: the MCP Inspector that sends custom headers (`--server-url`, `--transport http`, `--header`). */
  readonly inspector: string;
}

export const TOKEN_PLACEHOLDER = '<TOKEN>';

/** One shell word, quoted only when needed (double quotes unless the text needs single ones). */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  if (!/["$`\\!]/.test(s)) return `"${s}"`;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function isLocal(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === 'localhost' || h === '127.0.0.1' || h === '[::1]';
  } catch {
    return false;
  }
}

const json = (x: unknown): string => JSON.stringify(x, null, 2);

export function clientSnippets(o: SnippetOptions): ClientSnippets {
  const name = o.name ?? 'portcullis';
  const token = o.token ?? TOKEN_PLACEHOLDER;
  const auth = o.auth ?? true;
  const bearer = `Bearer ${token}`;
  const headers = auth ? { Authorization: bearer } : undefined;

  // mcp-remote refuses plain http beyond localhost unless told; `Authorization:${AUTH_HEADER}` without a
  // space, because some launchers split arguments on spaces (the value comes from env instead).
  const remoteArgs = ['-y', 'mcp-remote', o.url];
  if (o.url.startsWith('http:') && !isLocal(o.url)) remoteArgs.push('--allow-http');
  if (auth) remoteArgs.push('--header', 'Authorization:${AUTH_HEADER}');
  const claudeDesktop = json({
    mcpServers: {
      [name]: {
        command: 'npx',
        args: remoteArgs,
        ...(auth ? { env: { AUTH_HEADER: bearer } } : {}),
      },
    },
  });

  const claudeCode = [
    'claude mcp add --transport http',
    shellWord(name),
    shellWord(o.url),
    ...(auth ? ['--header', shellWord(`Authorization: ${bearer}`)] : []),
  ].join(' ');

  const cursor = json({ mcpServers: { [name]: { url: o.url, ...(headers ? { headers } : {}) } } });

  const inputId = `${name}-token`;
  const vscode = json({
    ...(auth
      ? {
          inputs: [
            { type: 'promptString', id: inputId, description: `${name} bearer token`, password: true },
          ],
        }
      : {}),
    servers: {
      [name]: {
        type: 'http',
        url: o.url,
        ...(auth ? { headers: { Authorization: `Bearer \${input:${inputId}}` } } : {}),
      },
    },
  });

  const inspector = [
    'npx @modelcontextprotocol/inspector --server-url',
    shellWord(o.url),
    '--transport http',
    ...(auth ? ['--header', shellWord(`Authorization: ${bearer}`)] : []),
  ].join(' ');

  return { claudeDesktop, claudeCode, cursor, vscode, inspector };
}
