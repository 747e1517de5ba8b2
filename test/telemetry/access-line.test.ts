// The hand-serialized access-log line (src/telemetry/access-line.ts) must be byte for byte what pino
// writes for the same record through the generic path of src/telemetry/access-log.ts.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { ConfigPath } from '../../src/config/types.js';
import type { BuildContext } from '../../src/contracts/build-context.js';
import { directLineWriter } from '../../src/telemetry/access-line.js';
import { celLogCompiler, createAccessLog, type AccessLogRecord } from '../../src/telemetry/access-log.js';
import { createLogger } from '../../src/telemetry/logger.js';

const TOKEN =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZXN0LXVzZXIiLCJpc3MiOiJhZ2VudGdhdGV3YXkuZGV2In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

const build: BuildContext = {
  readFile: () => '',
  error: (at: ConfigPath, message: string) => new Error(`${at.join('.')}: ${message}`),
  locate: (at: ConfigPath) => at.join('.'),
  warn: () => {},
};

function capture(format: 'json' | 'text' = 'json') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(l);
      cb();
    },
  });
  return { logger: createLogger({ level: 'info', format, destination }), lines };
}

const RECORDS: AccessLogRecord[] = [
  {
    'http.method': 'POST',
    'http.path': '/mcp',
    'http.host': 'localhost:3000',
    'src.addr': '127.0.0.1:51234',
    listener: 'listener0/gateway',
    route: 'route0',
    'jwt.sub': 'test-user',
    'mcp.session': 'c0ffee00',
    'mcp.method': 'tools/call',
    'mcp.target': 'everything',
    'mcp.resource.type': 'tool',
    'mcp.resource.name': 'echo',
    'authz.decision': 'allow',
    'http.status': 200,
    duration: '3ms',
  },
  {
    'http.method': 'POST',
    'http.path': '/mcp "quoted" \\ \u0001 ünï',
    'http.status': 502,
    error: `upstream said Bearer ${TOKEN} and ${TOKEN}`,
    'mcp.resource.type': 'prompt',
    'mcp.resource.name': 'greet',
    'retry.attempt': 2,
    'tcp.bytes.up': 10,
    'authn.reason': '',
    duration: '0ms',
  },
  { 'http.method': 'GET', 'http.status': 404, 'jwt.sub': undefined, duration: '1ms' },
];

/** Both paths' lines for the same records, the time field masked (the two are written a moment apart). */
function lines(format: 'json' | 'text', remove: string[] = []): { direct: string[]; pino: string[] } {
  const a = capture(format);
  const b = capture(format);
  const compile = celLogCompiler(build);
  const direct = createAccessLog({ logger: a.logger, compile, fieldsRemove: remove });
  // A `fields.add` sends every line through pino's own serializer; removing the added field again
  // leaves the record as it was.
  const viaPino = createAccessLog({
    logger: b.logger,
    compile,
    fieldsAdd: { zz: '1' },
    fieldsRemove: [...remove, 'zz'],
  });
  for (const r of RECORDS) {
    direct.write({ ...r });
    viaPino.write({ ...r });
  }
  const mask = (l: string): string => l.replace(/"time":"[^"]*"/, '"time":"T"').replace(/^\S+Z /, 'T ');
  return { direct: a.lines.map(mask), pino: b.lines.map(mask) };
}

test('the gateway logger is one the access log can write by hand; a child with bindings is not', () => {
  const { logger } = capture();
  assert.ok(directLineWriter(logger));
  assert.equal(directLineWriter(logger.child({ component: 'x' })), undefined);
});

test('hand-written lines equal pino lines (order, numbers, escapes, token redaction, levels)', () => {
  const { direct, pino } = lines('json');
  assert.equal(direct.length, RECORDS.length);
  assert.deepEqual(direct, pino);
  const second = JSON.parse(direct[1]!) as Record<string, unknown>;
  assert.equal(second.level, 'error');
  assert.ok(!direct.join('\n').includes(TOKEN), 'a token reached the line');
  assert.equal(second['mcp.prompt.name'], 'greet');
});

test('fields.remove and the text format give the same lines on both paths', () => {
  const removed = lines('json', ['src.addr', 'mcp.tool.name', 'duration']);
  assert.deepEqual(removed.direct, removed.pino);
  assert.ok(!removed.direct[0]!.includes('mcp.tool.name'));
  const text = lines('text');
  assert.deepEqual(text.direct, text.pino);
});
