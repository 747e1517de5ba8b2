import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { startStatsServer, toOpenMetrics, wantsOpenMetrics } from '../../src/telemetry/stats-server.js';

/** `name{a="x",b="y"}` → value, for every sample line of a Prometheus text scrape. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function scrape(url: string, accept?: string): Promise<{ text: string; type: string | null }> {
  const res = await fetch(url, accept ? { headers: { accept } } : {});
  assert.equal(res.status, 200);
  return { text: await res.text(), type: res.headers.get('content-type') };
}

describe('metrics', () => {
  it('counts a scripted set of events exactly, scraped over HTTP', async (t) => {
    const m = createMetrics({ version: '1.2.3' });
    const stats = await startStatsServer(m, { host: '127.0.0.1', port: 0 });
    t.after(() => stats.close());

    // Three requests on route0 (two 200s, one 403), one unrouted 404.
    const base = { listener: 'l0/gw', route: 'route0', 'http.method': 'POST' };
    m.httpRequest({ ...base, 'http.status': 200 }, 0.004);
    m.httpRequest({ ...base, 'http.status': 200 }, 0.02);
    m.httpRequest({ ...base, 'http.status': 403 }, 0.0005);
    m.httpRequest({ listener: 'l0/gw', 'http.method': 'GET', 'http.status': 404 }, 0.0001);
    // MCP: two allowed echo calls, one denied add, one list without a resource.
    m.mcpRequest({
      method: 'tools/call',
      target: 'everything',
      resourceType: 'tool',
      resource: 'echo',
      decision: 'allow',
    });
    m.mcpRequest({
      method: 'tools/call',
      target: 'everything',
      resourceType: 'tool',
      resource: 'echo',
      decision: 'allow',
    });
    m.mcpRequest({
      method: 'tools/call',
      target: 'everything',
      resourceType: 'tool',
      resource: 'add',
      decision: 'deny',
    });
    m.mcpRequest({
      method: 'tools/list',
      target: undefined,
      resourceType: undefined,
      resource: undefined,
      decision: undefined,
    });
    // Upstream calls: two fine, one failed.
    m.upstreamCall('everything', 0.25, undefined);
    m.upstreamCall('everything', 0.5, undefined);
    m.upstreamCall('everything', 2, 'UPSTREAM_CONNECT_REFUSED');
    // Sessions: 3 opened, 1 closed. Children: 2 spawned for a, 1 exited; 1 for b.
    m.sessionOpened();
    m.sessionOpened();
    m.sessionOpened();
    m.sessionClosed();
    m.childSpawned('a');
    m.childSpawned('a');
    m.childExited('a');
    m.childSpawned('b');
    // JWKS and reloads.
    m.jwksRefresh(true);
    m.jwksRefresh(true);
    m.jwksRefresh(false);
    m.configReload(true);
    m.configReload(false);

    for (const path of ['/metrics', '/stats/prometheus']) {
      const { text, type } = await scrape(stats.url + path);
      assert.equal(type, 'text/plain; version=0.0.4; charset=utf-8');
      const s = parse(text);
      const expect: Record<string, number> = {
        'portcullis_requests_total{listener="l0/gw",route="route0",method="POST",status="200"}': 2,
        'portcullis_requests_total{listener="l0/gw",route="route0",method="POST",status="403"}': 1,
        'portcullis_requests_total{listener="l0/gw",route="unknown",method="GET",status="404"}': 1,
        'portcullis_request_duration_seconds_count{route="route0",status="200"}': 2,
        'portcullis_request_duration_seconds_bucket{le="0.005",route="route0",status="200"}': 1,
        'portcullis_request_duration_seconds_bucket{le="0.025",route="route0",status="200"}': 2,
        'portcullis_request_duration_seconds_count{route="route0",status="403"}': 1,
        'portcullis_mcp_requests_total{method="tools/call",target="everything",resource_type="tool",resource="echo",decision="allow"}': 2,
        'portcullis_mcp_requests_total{method="tools/call",target="everything",resource_type="tool",resource="add",decision="deny"}': 1,
        'portcullis_mcp_requests_total{method="tools/list",target="unknown",resource_type="unknown",resource="unknown",decision="unknown"}': 1,
        'portcullis_upstream_duration_seconds_count{target="everything"}': 3,
        'portcullis_upstream_duration_seconds_bucket{le="0.5",target="everything"}': 2,
        'portcullis_upstream_duration_seconds_sum{target="everything"}': 2.75,
        'portcullis_upstream_errors_total{target="everything",code="UPSTREAM_CONNECT_REFUSED"}': 1,
        portcullis_mcp_sessions_active: 2,
        'portcullis_stdio_children{target="a"}': 1,
        'portcullis_stdio_children{target="b"}': 1,
        'portcullis_jwks_refresh_total{result="success"}': 2,
        'portcullis_jwks_refresh_total{result="failure"}': 1,
        'portcullis_config_reload_total{result="success"}': 1,
        'portcullis_config_reload_total{result="failure"}': 1,
        portcullis_config_last_reload_success: 0,
        [`portcullis_build_info{version="1.2.3",node="${process.versions.node}"}`]: 1,
      };
      for (const [series, value] of Object.entries(expect)) {
        assert.equal(s.get(series), value, series);
      }
      // Exactly these MCP series, nothing else.
      assert.equal([...s.keys()].filter((k) => k.startsWith('portcullis_mcp_requests_total')).length, 3);
    }
  });

  it('starts with zeroed result counters, no sessions and a successful load', async (t) => {
    const m = createMetrics({ version: '0.0.0' });
    const stats = await startStatsServer(m, { host: '127.0.0.1', port: 0 });
    t.after(() => stats.close());
    const s = parse((await scrape(`${stats.url}/metrics`)).text);
    assert.equal(s.get('portcullis_jwks_refresh_total{result="failure"}'), 0);
    assert.equal(s.get('portcullis_config_reload_total{result="success"}'), 0);
    assert.equal(s.get('portcullis_config_last_reload_success'), 1);
    assert.equal(s.get('portcullis_mcp_sessions_active'), 0);
    m.sessionClosed(); // an unbalanced close never goes negative
    assert.equal(parse((await scrape(`${stats.url}/metrics`)).text).get('portcullis_mcp_sessions_active'), 0);
  });

  it('bounds the resource label: listed names kept, unlisted ones capped, then "other"', async () => {
    const m = createMetrics({ version: '0', unlistedResourceCap: 2 });
    const call = (target: string, resource: string) =>
      m.mcpRequest({ method: 'tools/call', target, resourceType: 'tool', resource, decision: 'allow' });
    m.resourcesListed('t1', 'tool', ['echo', 'add']);
    for (const name of ['probe1', 'probe2', 'probe3', 'probe4', 'echo', 'add', 'probe1']) call('t1', name);
    // The cap is per target: t2 has its own budget.
    call('t2', 'probe3');
    const s = parse(await m.registry.metrics());
    const series = (target: string, resource: string) =>
      s.get(
        `portcullis_mcp_requests_total{method="tools/call",target="${target}",resource_type="tool",resource="${resource}",decision="allow"}`,
      );
    assert.equal(series('t1', 'probe1'), 2);
    assert.equal(series('t1', 'probe2'), 1);
    assert.equal(series('t1', 'probe3'), undefined);
    assert.equal(series('t1', 'other'), 2);
    assert.equal(series('t1', 'echo'), 1, 'a listed name keeps its label past the cap');
    assert.equal(series('t1', 'add'), 1);
    assert.equal(series('t2', 'probe3'), 1);
  });

  it('bounds method, HTTP method and target labels', async () => {
    const m = createMetrics({ version: '0', nameCap: 1 });
    m.mcpRequest({
      method: 'x/evil',
      target: 't1',
      resourceType: undefined,
      resource: undefined,
      decision: undefined,
    });
    m.mcpRequest({
      method: 'ping',
      target: 't2',
      resourceType: undefined,
      resource: undefined,
      decision: undefined,
    });
    m.httpRequest({ route: 'r', 'http.method': 'BREW', 'http.status': 418 }, 0);
    const s = parse(await m.registry.metrics());
    const mcp = (method: string, target: string) =>
      s.get(
        `portcullis_mcp_requests_total{method="${method}",target="${target}",resource_type="unknown",resource="unknown",decision="unknown"}`,
      );
    assert.equal(mcp('other', 't1'), 1);
    assert.equal(mcp('ping', 'other'), 1);
    assert.equal(
      s.get('portcullis_requests_total{listener="unknown",route="r",method="other",status="418"}'),
      1,
    );
  });

  it('keeps one registry per instance (several gateways in one process)', async () => {
    const a = createMetrics({ version: 'a' });
    const b = createMetrics({ version: 'b' });
    a.jwksRefresh(true);
    assert.equal(parse(await a.registry.metrics()).get('portcullis_jwks_refresh_total{result="success"}'), 1);
    assert.equal(parse(await b.registry.metrics()).get('portcullis_jwks_refresh_total{result="success"}'), 0);
  });

  it('serves OpenMetrics when Accept asks for it, 404 elsewhere, 405 for POST', async (t) => {
    const m = createMetrics({ version: '1' });
    m.configReload(true);
    const stats = await startStatsServer(m, { host: '127.0.0.1', port: 0 });
    t.after(() => stats.close());
    const { text, type } = await scrape(
      `${stats.url}/metrics`,
      'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
    );
    assert.equal(type, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.ok(text.endsWith('\n# EOF\n'));
    assert.ok(text.includes('# TYPE portcullis_config_reload counter\n'));
    assert.ok(text.includes('portcullis_config_reload_total{result="success"} 1\n'));
    assert.equal(text.includes('\n\n'), false);
    assert.equal((await fetch(`${stats.url}/other`)).status, 404);
    assert.equal((await fetch(`${stats.url}/metrics`, { method: 'POST' })).status, 405);
    // The plain scrape afterwards is unaffected (the registry was not switched).
    assert.ok(
      (await scrape(`${stats.url}/metrics`)).text.includes('# TYPE portcullis_config_reload_total counter'),
    );
  });

  it('negotiates on Accept', () => {
    assert.equal(wantsOpenMetrics(undefined), false);
    assert.equal(wantsOpenMetrics('text/plain'), false);
    assert.equal(wantsOpenMetrics('application/openmetrics-text; version=1.0.0'), true);
    assert.equal(wantsOpenMetrics('application/openmetrics-text;q=0, text/plain'), false);
    assert.equal(
      toOpenMetrics('# HELP a_total x\n# TYPE a_total counter\na_total 1\n\n# TYPE g gauge\ng 2\n'),
      '# HELP a x\n# TYPE a counter\na_total 1\n# TYPE g gauge\ng 2\n# EOF\n',
    );
  });
});
