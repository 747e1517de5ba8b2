import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { ConfigPath } from '../../src/config/types.js';
import type { BuildContext } from '../../src/contracts/build-context.js';
import type { Identity, RequestInfo } from '../../src/contracts/request-context.js';
import {
  celLogCompiler,
  createAccessLog,
  formatDuration,
  fromCel,
  redactTokens,
  type AccessLogOptions,
  type AccessLogRecord,
} from '../../src/telemetry/access-log.js';
import { createLogger, setLevel } from '../../src/telemetry/logger.js';

/** A JWT-shaped string (the signature is fake; only its shape matters to the redactor). */
const TOKEN =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZXN0LXVzZXIiLCJpc3MiOiJhZ2VudGdhdGV3YXkuZGV2In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

function capture(format: 'json' | 'text' = 'json', level = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(l);
      cb();
    },
  });
  const logger = createLogger({ level, format, destination });
  return { logger, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const build: BuildContext = {
  readFile: () => '',
  error: (at: ConfigPath, message: string) => new Error(`${at.join('.')}: ${message}`),
  locate: (at: ConfigPath) => at.join('.'),
  warn: () => {},
};
const compile = celLogCompiler(build);

function accessLog(logger: AccessLogOptions['logger'], extra: Partial<AccessLogOptions> = {}) {
  return createAccessLog({ logger, compile, now: () => Date.UTC(2026, 0, 1), ...extra });
}

/** The record the pipeline builds for an allowed `tools/call echo` (request-context + phases + MCP handler). */
function allowedCall(): AccessLogRecord {
  return {
    'http.method': 'POST',
    'http.path': '/mcp',
    'http.host': 'localhost:3000',
    'src.addr': '127.0.0.1:51234',
    listener: 'listener0/gateway',
    route: 'route0',
    'jwt.sub': 'test-user',
    'mcp.session': 'c0ffee00-0000-4000-8000-000000000001',
    'mcp.method': 'tools/call',
    'mcp.target': 'everything',
    'mcp.resource.type': 'tool',
    'mcp.resource.name': 'echo',
    'authz.decision': 'allow',
    'authz.rule': 'rules[0] (allow): mcp.tool.name == "echo"',
    'http.status': 200,
    duration: formatDuration(12.4),
  };
}

/** A denied `tools/call add` by a caller the rules do not allow: no deciding rule, an error. */
function deniedCall(): AccessLogRecord {
  return {
    'http.method': 'POST',
    'http.path': '/mcp',
    'http.host': 'localhost:3000',
    'src.addr': '[::1]:40000',
    listener: 'listener0/gateway',
    route: 'route0',
    'jwt.sub': 'other-user',
    'mcp.session': 'c0ffee00-0000-4000-8000-000000000002',
    'mcp.method': 'tools/call',
    'mcp.target': 'everything',
    'mcp.resource.type': 'tool',
    'mcp.resource.name': 'add',
    'authz.decision': 'deny',
    'authz.rule': '',
    'http.status': 403,
    error: 'authorization failed',
    duration: '3ms',
  };
}

function withoutTime(rec: Record<string, unknown>): Record<string, unknown> {
  assert.match(String(rec.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const { time: _time, ...rest } = rec;
  return rest;
}

describe('access log', () => {
  it('writes one JSON line per request with every field of an allowed call', () => {
    const { logger, json } = capture();
    accessLog(logger).write(allowedCall());
    const lines = json();
    assert.equal(lines.length, 1);
    assert.deepEqual(withoutTime(lines[0]!), {
      level: 'info',
      msg: 'request',
      listener: 'listener0/gateway',
      route: 'route0',
      'src.addr': '127.0.0.1:51234',
      'http.method': 'POST',
      'http.host': 'localhost:3000',
      'http.path': '/mcp',
      'http.status': 200,
      'jwt.sub': 'test-user',
      'mcp.session': 'c0ffee00-0000-4000-8000-000000000001',
      'mcp.method': 'tools/call',
      'mcp.target': 'everything',
      'mcp.resource.type': 'tool',
      'mcp.resource.name': 'echo',
      'mcp.tool.name': 'echo',
      'authz.decision': 'allow',
      'authz.rule': 'rules[0] (allow): mcp.tool.name == "echo"',
      duration: '12ms',
    });
  });

  it('writes a denied call with its decision and error, omitting empty fields', () => {
    const { logger, json } = capture();
    accessLog(logger).write(deniedCall());
    const [line] = json();
    assert.deepEqual(withoutTime(line!), {
      level: 'warn',
      msg: 'request',
      listener: 'listener0/gateway',
      route: 'route0',
      'src.addr': '[::1]:40000',
      'http.method': 'POST',
      'http.host': 'localhost:3000',
      'http.path': '/mcp',
      'http.status': 403,
      'jwt.sub': 'other-user',
      'mcp.session': 'c0ffee00-0000-4000-8000-000000000002',
      'mcp.method': 'tools/call',
      'mcp.target': 'everything',
      'mcp.resource.type': 'tool',
      'mcp.resource.name': 'add',
      'mcp.tool.name': 'add',
      'authz.decision': 'deny',
      error: 'authorization failed',
      duration: '3ms',
    });
    assert.equal('authz.rule' in line!, false);
  });

  it('keeps fields it does not know yet (additive AccessLogFields) after the known ones', () => {
    const { logger, json } = capture();
    const rec = { ...allowedCall(), 'authn.reason': 'token expired', 'trace.id': 'abc' };
    accessLog(logger).write(rec);
    const keys = Object.keys(json()[0]!);
    assert.ok(keys.indexOf('authn.reason') < keys.indexOf('authz.decision'));
    assert.ok(keys.indexOf('trace.id') < keys.indexOf('duration'));
  });

  it('never writes a token, even inside an error message or an added field', () => {
    const { logger, lines } = capture();
    const log = accessLog(logger, { fieldsAdd: { auth: 'request.headers["authorization"]' } });
    const rec = { ...deniedCall(), error: `upstream rejected token ${TOKEN}` };
    const request: RequestInfo = {
      method: 'POST',
      path: '/mcp',
      host: 'localhost:3000',
      scheme: 'http',
      headers: { authorization: `Bearer ${TOKEN}` },
    };
    log.write(rec, { identity: null, request, source: { address: '::1', port: 40000 } });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.includes(TOKEN), false, lines[0]);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(line.error, 'upstream rejected token [redacted]');
    assert.equal(line.auth, 'Bearer [redacted]');
  });

  it('filters lines with a CEL expression over the log variables', () => {
    const { logger, json } = capture();
    const log = accessLog(logger, { filter: 'response.code >= 400' });
    log.write(allowedCall());
    log.write(deniedCall());
    assert.deepEqual(
      json().map((l) => l['mcp.resource.name']),
      ['add'],
    );
  });

  it('exposes mcp, jwt, request and source to the filter', () => {
    const { logger, json } = capture();
    const log = accessLog(logger, {
      filter:
        'mcp.method == "tools/call" && has(mcp.tool) && mcp.tool.name == "echo" && mcp.tool.target == "everything"' +
        ' && jwt.sub == "test-user" && request.path == "/mcp" && source.address == "127.0.0.1" && source.port == 51234',
    });
    log.write(allowedCall());
    log.write(deniedCall());
    log.write({ 'http.method': 'GET', 'http.path': '/healthz', 'http.status': 200, duration: '0ms' });
    assert.deepEqual(
      json().map((l) => l['mcp.resource.name']),
      ['echo'],
    );
  });

  it('exposes the whole record as `log`: "log only denied calls" can be written', () => {
    const { logger, json } = capture();
    const log = accessLog(logger, {
      filter: '"authz.decision" in log && log["authz.decision"] == "deny" && log["http.status"] == 403',
      fieldsAdd: { 'route.name': 'log.route' },
    });
    log.write(allowedCall());
    log.write(deniedCall());
    const lines = json();
    assert.deepEqual(
      lines.map((l) => l['mcp.resource.name']),
      ['add'],
    );
    assert.equal(lines[0]!['route.name'], 'route0');
  });

  it('drops a line whose filter fails to evaluate (no token: jwt is null)', () => {
    const { logger, json } = capture();
    const log = accessLog(logger, { filter: 'jwt.sub == "test-user"' });
    log.write({ ...allowedCall(), 'jwt.sub': undefined });
    log.write(allowedCall());
    assert.equal(json().length, 1);
  });

  it('evaluates the filter over the full request when the pipeline passes it', () => {
    const { logger, json } = capture();
    const log = accessLog(logger, {
      filter: 'request.headers["x-debug"] == "1" && jwt.groups.exists(g, g == "ops")',
    });
    const identity: Identity = {
      claims: { sub: 'test-user', groups: ['ops'] },
      celClaims: { sub: 'test-user', groups: ['ops'] },
      sub: 'test-user',
      issuer: 'agentgateway.dev',
      rawToken: TOKEN,
    };
    const request: RequestInfo = {
      method: 'POST',
      path: '/mcp',
      host: 'h',
      scheme: 'http',
      headers: { 'x-debug': '1' },
    };
    log.write(allowedCall(), { identity, request, source: { address: '127.0.0.1', port: 51234 } });
    log.write(allowedCall(), {
      identity,
      request: { ...request, headers: {} },
      source: { address: '::1', port: 1 },
    });
    assert.equal(json().length, 1);
  });

  it('adds fields from CEL and removes fields by name', () => {
    const { logger, json } = capture();
    const log = accessLog(logger, {
      fieldsAdd: {
        tool: 'has(mcp.tool) ? mcp.tool.name : "none"',
        port: 'source.port',
        issuer: 'jwt.iss',
        tags: '["a", 1]',
      },
      fieldsRemove: ['src.addr', 'http.host', 'port'],
    });
    log.write(allowedCall());
    const [line] = json();
    assert.equal(line!.tool, 'echo');
    assert.deepEqual(line!.tags, ['a', 1]);
    assert.equal('issuer' in line!, false, 'an expression that fails to evaluate adds nothing');
    for (const removed of ['src.addr', 'http.host', 'port']) assert.equal(removed in line!, false, removed);
    assert.equal(line!['http.path'], '/mcp');
  });

  it('rejects a bad expression at config load with the field path', () => {
    const { logger } = capture();
    assert.throws(
      () => accessLog(logger, { filter: 'reponse.code > 299' }),
      /config\.logging\.filter: invalid CEL expression: unknown variable 'reponse'/,
    );
    assert.throws(
      () => accessLog(logger, { fieldsAdd: { x: 'mcp.tool.nme' } }),
      /config\.logging\.fields\.add\.x: invalid CEL expression/,
    );
    assert.throws(() => accessLog(logger, { filter: 'request.path' }), /expected a boolean expression/);
  });

  it('needs a compiler only when CEL is configured', () => {
    const { logger, json } = capture();
    createAccessLog({ logger }).write(allowedCall());
    assert.equal(json().length, 1);
    assert.throws(() => createAccessLog({ logger, filter: 'true' }), /CEL compiler/);
  });

  it('writes nothing when the level is above info, and again after setLevel', () => {
    const { logger, lines } = capture('json', 'warn');
    const log = accessLog(logger);
    log.write(allowedCall());
    assert.equal(lines.length, 0);
    assert.equal(setLevel(logger, 'info'), 'warn');
    log.write(allowedCall());
    assert.equal(lines.length, 1);
  });

  it('writes human-readable text lines with format: text', () => {
    const { logger, lines } = capture('text');
    accessLog(logger).write(deniedCall());
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /^\d{4}-\d\d-\d\dT\S+Z WARN {2}request listener=listener0\/gateway route=route0 src\.addr=\[::1\]:40000 http\.method=POST /,
    );
    assert.ok(lines[0]!.includes(' http.status=403 '));
    assert.ok(lines[0]!.includes(' authz.decision=deny error="authorization failed" duration=3ms'));
  });
});

describe('redactTokens', () => {
  it('replaces JWTs and bearer/basic credentials, and leaves prose alone', () => {
    assert.equal(redactTokens(`a ${TOKEN} b`), 'a [redacted] b');
    assert.equal(redactTokens('Authorization: Bearer abc.DEF-123_x'), 'Authorization: Bearer [redacted]');
    assert.equal(redactTokens('basic dXNlcjpwYXNz'), 'basic [redacted]');
    assert.equal(redactTokens('basic authentication failed'), 'basic authentication failed');
    assert.equal(redactTokens('no bearer token'), 'no bearer token');
    assert.equal(redactTokens('tools/call echo'), 'tools/call echo');
  });
});

describe('fromCel', () => {
  it('turns CEL values into JSON values', () => {
    assert.deepEqual(fromCel(new Map<unknown, unknown>([['a', 1n]])), { a: 1 });
    assert.equal(fromCel(2n ** 60n), '1152921504606846976');
    assert.equal(fromCel(new Uint8Array([104, 105])), 'aGk=');
  });
});
