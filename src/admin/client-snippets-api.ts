import { clientSnippets } from './client-snippets.js';
/**
 * `GET /api/client-snippets?url=<endpoint>`: copy-ready set-ups for MCP clients that connect to one of the
 * gateway's endpoints, carrying the MCP bearer token (from the `X-Explain-Token` header of this request —
 * `Authorization` belongs to the admin token — never logged) or a placeholder. The admin server takes the generator as a parameter; `basicSnippets` below
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

/** The snippets of src/admin/client-snippets.ts (the ones docs/clients.md shows), as the UI lists them. */
export const basicSnippets: ClientSnippetGenerator = function basicSnippets(url, token) {
  const s = clientSnippets({ url, ...(token ? { token } : {}) });
  return [
    {
      name: 'Claude Desktop',
      language: 'json',
      where: 'claude_desktop_config.json (through mcp-remote)',
      text: s.claudeDesktop,
    },
    { name: 'Claude Code', language: 'shell', text: s.claudeCode },
    { name: 'Cursor', language: 'json', where: '~/.cursor/mcp.json', text: s.cursor },
    { name: 'VS Code', language: 'json', where: '.vscode/mcp.json', text: s.vscode },
    { name: 'MCP Inspector', language: 'shell', text: s.inspector },
  ];
};
