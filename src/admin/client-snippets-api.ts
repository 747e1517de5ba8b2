/**
 * `GET /api/client-snippets?url=<endpoint>`: copy-ready set-ups for MCP clients that connect to one of the
 * gateway's endpoints, carrying the bearer token (from `Authorization: Bearer …` of this request, never
 * logged) or a placeholder. The admin server takes the generator as a parameter; `basicSnippets` below
 * is the built-in one.
 */
export interface ClientSnippet {
  /** Client name, e.g. `Claude Code`. */
  readonly name: string;
  /** `json` (a config file) or `shell` (a command line). */
  readonly language: 'json' | 'shell';
  /** Where it goes, e.g. `~/.cursor/mcp.json`. */
  readonly where?: string;
  readonly text: string;
}

export type ClientSnippetGenerator = (gatewayUrl: string, token: string | undefined) => ClientSnippet[];

export const TOKEN_PLACEHOLDER = 'YOUR_TOKEN';

export const basicSnippets: ClientSnippetGenerator = function basicSnippets(url, token) {
  const bearer = `Bearer ${token ?? TOKEN_PLACEHOLDER}`;
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    {
      name: 'Claude Desktop',
      language: 'json',
      where: 'claude_desktop_config.json (through mcp-remote)',
      text: json({
        mcpServers: {
          portcullis: {
            command: 'npx',
            args: ['-y', 'mcp-remote', url, '--header', 'Authorization:${AUTH_HEADER}'],
            env: { AUTH_HEADER: bearer },
          },
        },
      }),
    },
    {
      name: 'Claude Code',
      language: 'shell',
      text: `claude mcp add --transport http portcullis ${quote(url)} --header ${quote(`Authorization: ${bearer}`)}`,
    },
    {
      name: 'Cursor',
      language: 'json',
      where: '~/.cursor/mcp.json',
      text: json({ mcpServers: { portcullis: { url, headers: { Authorization: bearer } } } }),
    },
    {
      name: 'VS Code',
      language: 'json',
      where: '.vscode/mcp.json',
      text: json({ servers: { portcullis: { type: 'http', url, headers: { Authorization: bearer } } } }),
    },
    {
      name: 'MCP Inspector',
      language: 'shell',
      text: `npx @modelcontextprotocol/inspector --cli ${quote(url)} --transport http --header ${quote(`Authorization: ${bearer}`)} --method tools/list`,
    },
  ];
};
