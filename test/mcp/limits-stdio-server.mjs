// A minimal MCP server over stdio (newline-delimited JSON-RPC) for the limits, backpressure and
// identity-isolation tests. Arguments: `--tag <t>` (so a test can count its own processes with ps) and
// `--init-delay-ms <n>` (answer initialize late, to close a session while its targets still start).
// Tools: `big` ({bytes}) answers that many characters; `stash` ({text}) keeps a text; `wait` ({ms})
// first logs the stashed text (a notification that belongs to no request of the caller), then answers
// after ms; `flood` ({count, bytes}) sends that many log notifications first. Tasks: answers tasks/list, tasks/get, tasks/result and tasks/cancel for one stored task.
import { createInterface } from 'node:readline';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const initDelay = Number(arg('--init-delay-ms') ?? 0);
const TASK = { taskId: 'task-of-alice', status: 'completed', createdAt: '2026-01-01T00:00:00Z', ttl: 60000 };
let stashed;

const rl = createInterface({ input: process.stdin });
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const text = (t) => ({ content: [{ type: 'text', text: t }] });
rl.on('line', (line) => {
  let m;
  try {
    m = JSON.parse(line);
  } catch {
    return;
  }
  if (m.id === undefined || typeof m.method !== 'string') return;
  const ok = (result) => send({ jsonrpc: '2.0', id: m.id, result });
  const args = m.params?.arguments ?? {};
  switch (m.method) {
    case 'initialize':
      return void setTimeout(
        () =>
          ok({
            protocolVersion: m.params?.protocolVersion ?? '2025-06-18',
            capabilities: {
              tools: {},
              logging: {},
              tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
            },
            serverInfo: { name: 'limits', version: '1.0.0' },
          }),
        initDelay,
      );
    case 'ping':
      return ok({});
    case 'tools/list':
      return ok({
        tools: ['big', 'stash', 'wait', 'flood', 'secret'].map((name) => ({
          name,
          inputSchema: { type: 'object' },
        })),
      });
    case 'tools/call':
      switch (m.params?.name) {
        case 'big':
          return ok(text('x'.repeat(Number(args.bytes ?? 1024))));
        case 'stash':
          stashed = String(args.text);
          return ok(text('stashed'));
        case 'wait':
          if (stashed !== undefined) {
            send({
              jsonrpc: '2.0',
              method: 'notifications/message',
              params: { level: 'info', data: stashed },
            });
            stashed = undefined;
          }
          return void setTimeout(() => ok(text('waited')), Number(args.ms ?? 0));
        case 'flood':
          // `count` log notifications of `bytes` characters each, then the answer.
          for (let i = 0; i < Number(args.count ?? 1); i++)
            send({
              jsonrpc: '2.0',
              method: 'notifications/message',
              params: { level: 'info', data: 'z'.repeat(Number(args.bytes ?? 1)) },
            });
          return ok(text('flooded'));
        case 'secret':
          if (m.params?.task) return ok({ task: TASK });
          return ok(text('the secret'));
        default:
          return send({ jsonrpc: '2.0', id: m.id, error: { code: -32602, message: 'Unknown tool' } });
      }
    case 'tasks/list':
      return ok({ tasks: [TASK] });
    case 'tasks/get':
    case 'tasks/cancel':
      return ok({ ...TASK, taskId: m.params?.taskId });
    case 'tasks/result':
      return ok(text('the secret result'));
    default:
      return send({
        jsonrpc: '2.0',
        id: m.id,
        error: { code: -32601, message: `Method not found: ${m.method}` },
      });
  }
});
rl.on('close', () => process.exit(0));
