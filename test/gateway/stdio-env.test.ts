/**
 * stdio children and the environment, as agentgateway does it: by default a child inherits the
 * gateway's environment — never Portcullis's own secrets (`PORTCULLIS_*`) — and `clear_env: true`
 * leaves it nothing but PATH and the target's `env`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fixtureStdio } from '../fixtures/spawn.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const SET = {
  COMPAT_INHERITED: 'inherited-value',
  PORTCULLIS_ADMIN_TOKEN: 'admin-secret-value',
  PORTCULLIS_REDIS_URL: 'redis://user:redis-secret@127.0.0.1:1',
  // A valid key (43 base64url characters = 32 bytes) that spells out what it is.
  PORTCULLIS_SESSION_KEY: 'sessionsecretvalue' + 'A'.repeat(25),
};

describe('stdio clear_env', () => {
  let gw: TestGateway;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    for (const [k, v] of Object.entries(SET)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const flaky = fixtureStdio('flaky-server.ts');
    const target = (name: string, clear: boolean) => `
            - name: ${name}
              stdio:
                cmd: ${JSON.stringify(flaky.cmd)}
                args: ${JSON.stringify(flaky.args)}
                env: { GREETING: hello }${clear ? '\n                clear_env: true' : ''}`;
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - name: inherit
    matches: [{ path: { pathPrefix: /inherit } }]
    backends:
      - mcp:
          targets:${target('inherit', false)}
  - name: clear
    matches: [{ path: { pathPrefix: /clear } }]
    backends:
      - mcp:
          targets:${target('clear', true)}
`,
      { name: 'stdio-env' },
    );
  });

  after(async () => {
    await gw?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const childEnv = async (path: string): Promise<Record<string, string>> => {
    const client = await connect(`${gw.url}${path}`);
    try {
      const r = await client.callTool({ name: 'env', arguments: {} });
      return (r.structuredContent as { env: Record<string, string> }).env;
    } finally {
      await client.close();
    }
  };

  test('by default the child inherits the environment but never PORTCULLIS_* secrets', async () => {
    const env = await childEnv('/inherit');
    assert.equal(env.COMPAT_INHERITED, 'inherited-value');
    assert.equal(env.GREETING, 'hello');
    assert.equal(env.PATH, process.env.PATH);
    for (const k of Object.keys(env)) assert.ok(!k.startsWith('PORTCULLIS_'), `${k} reached the child`);
    assert.ok(!JSON.stringify(env).includes('secret'), 'no secret value reached the child');
  });

  test('clear_env: true leaves only PATH and the target env', async () => {
    const env = await childEnv('/clear');
    assert.equal(env.GREETING, 'hello');
    assert.equal(env.PATH, process.env.PATH);
    assert.equal(env.COMPAT_INHERITED, undefined);
    assert.equal(env.HOME, undefined);
  });
});
