/**
 * Client snippets (src/admin/client-snippets.ts) parse as what each client reads, with the URL and the
 * token header in the right place — and docs/clients.md shows exactly what the generator produces.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { clientSnippets, shellWord, type ClientSnippets } from '../../src/admin/client-snippets.js';

/** POSIX shell word splitting for the quoting the snippets use: '…', "…" (with \ escapes), bare words. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      assert.ok(end > i, `unterminated ' in ${line}`);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '')) i++;
        cur += line[i];
        i++;
      }
      assert.equal(line[i], '"', `unterminated " in ${line}`);
      inWord = true;
    } else if (ch === '\\') {
      cur += line[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      // A bare $, redirection or control operator would be the shell's, not the client's.
      assert.ok(!/[$`;&|<>()]/.test(ch), `unquoted ${ch} in ${line}`);
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** The value after `flag` (the flag must appear exactly once). */
function flagValue(words: readonly string[], flag: string): string {
  const at = words.indexOf(flag);
  assert.ok(at >= 0, `${flag} in ${words.join(' ')}`);
  assert.equal(words.indexOf(flag, at + 1), -1, `${flag} once`);
  return words[at + 1] as string;
}

const URL_ = 'https://gw.example.test:8443/team/mcp';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0In0.c2ln';

function check(s: ClientSnippets, url: string, token: string): void {
  const desktop = JSON.parse(s.claudeDesktop) as {
    mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
  };
  const d = desktop.mcpServers.portcullis!;
  assert.equal(d.command, 'npx');
  assert.deepEqual(d.args.slice(0, 3), ['-y', 'mcp-remote', url]);
  assert.equal(flagValue(d.args, '--header'), 'Authorization:${AUTH_HEADER}');
  assert.equal(d.env.AUTH_HEADER, `Bearer ${token}`);

  const code = shellWords(s.claudeCode);
  assert.deepEqual(code.slice(0, 5), ['claude', 'mcp', 'add', '--transport', 'http']);
  assert.deepEqual(code.slice(5, 7), ['portcullis', url]);
  assert.equal(flagValue(code, '--header'), `Authorization: Bearer ${token}`);

  const cursor = JSON.parse(s.cursor) as {
    mcpServers: Record<string, { url: string; headers: Record<string, string> }>;
  };
  assert.equal(cursor.mcpServers.portcullis!.url, url);
  assert.deepEqual(cursor.mcpServers.portcullis!.headers, { Authorization: `Bearer ${token}` });

  const vscode = JSON.parse(s.vscode) as {
    inputs: { type: string; id: string; password: boolean }[];
    servers: Record<string, { type: string; url: string; headers: Record<string, string> }>;
  };
  const server = vscode.servers.portcullis!;
  assert.equal(server.type, 'http');
  assert.equal(server.url, url);
  const input = vscode.inputs[0]!;
  assert.equal(input.type, 'promptString');
  assert.equal(input.password, true);
  assert.equal(server.headers.Authorization, `Bearer \${input:${input.id}}`);

  const inspector = shellWords(s.inspector);
  assert.deepEqual(inspector.slice(0, 2), ['npx', '@modelcontextprotocol/inspector']);
  assert.equal(flagValue(inspector, '--server-url'), url);
  assert.equal(flagValue(inspector, '--transport'), 'http');
  assert.equal(flagValue(inspector, '--header'), `Authorization: Bearer ${token}`);
}

describe('client snippets', () => {
  it('parse as each client reads them, URL and token header in place', () => {
    check(clientSnippets({ url: URL_, token: TOKEN }), URL_, TOKEN);
    check(clientSnippets({ url: 'http://localhost:3000/mcp' }), 'http://localhost:3000/mcp', '<TOKEN>');
  });

  it('quote what a shell would change: $, quotes, spaces', () => {
    for (const s of ['plain', 'a b', 'it\'s "x"', '$HOME', 'back`tick`', 'x\\y']) {
      assert.deepEqual(shellWords(shellWord(s)), [s], s);
    }
    const odd = clientSnippets({ url: URL_, token: "t$o'k" });
    assert.equal(flagValue(shellWords(odd.claudeCode), '--header'), "Authorization: Bearer t$o'k");
  });

  it('mcp-remote gets --allow-http for plain http beyond localhost only', () => {
    const args = (url: string) =>
      (
        JSON.parse(clientSnippets({ url }).claudeDesktop) as {
          mcpServers: { portcullis: { args: string[] } };
        }
      ).mcpServers.portcullis.args;
    assert.ok(args('http://10.0.0.5:3000/mcp').includes('--allow-http'));
    assert.ok(!args('http://localhost:3000/mcp').includes('--allow-http'));
    assert.ok(!args(URL_).includes('--allow-http'));
  });

  it('without authentication, no header anywhere', () => {
    const s = clientSnippets({ url: URL_, auth: false });
    for (const text of Object.values(s)) assert.ok(!/Authorization/i.test(text), text);
  });

  it('docs/clients.md shows exactly the generated snippets, each one parsed', () => {
    const doc = readFileSync('docs/clients.md', 'utf8');
    const blocks = new Map<string, string>();
    for (const m of doc.matchAll(/<!-- snippet: (\w+) -->\n```\w*\n([\s\S]*?)\n```/g))
      blocks.set(m[1]!, m[2]!);
    const generated = clientSnippets({ url: 'http://localhost:3000/mcp' });
    assert.deepEqual([...blocks.keys()].sort(), Object.keys(generated).sort());
    for (const [key, text] of Object.entries(generated)) assert.equal(blocks.get(key), text, key);
    check(Object.fromEntries(blocks) as unknown as ClientSnippets, 'http://localhost:3000/mcp', '<TOKEN>');
  });
});
