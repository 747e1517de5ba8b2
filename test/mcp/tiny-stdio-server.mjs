// A minimal MCP server over stdio (newline-delimited JSON-RPC), for process-hygiene tests where
// starting a full server 50 times would dominate the run. Answers initialize, ping, tools/list and
// tools/call; everything else is "method not found".
import { createInterface } from 'node:readline';

const rl = createInterface({ input: process.stdin });
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
rl.on('line', (line) => {
  let m;
  try {
    m = JSON.parse(line);
  } catch {
    return;
  }
  if (m.id === undefined || typeof m.method !== 'string') return;
  const ok = (result) => send({ jsonrpc: '2.0', id: m.id, result });
  switch (m.method) {
    case 'initialize':
      return ok({
        protocolVersion: m.params?.protocolVersion ?? '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'tiny', version: '1.0.0' },
      });
    case 'ping':
      return ok({});
    case 'tools/list':
      return ok({ tools: [{ name: 'noop', inputSchema: { type: 'object' } }] });
    case 'tools/call':
      return ok({ content: [{ type: 'text', text: 'ok' }] });
    default:
      return send({
        jsonrpc: '2.0',
        id: m.id,
        error: { code: -32601, message: `Method not found: ${m.method}` },
      });
  }
});
rl.on('close', () => process.exit(0));
