/**
 * The added latency of continuing a session on a replica that does not hold it (open the sealed id,
 * build the local session, attach to the upstream sessions) against a request of a session it holds.
 * Two in-process gateways with one PORTCULLIS_SESSION_KEY in front of one Streamable HTTP upstream; each
 * round initializes a session on A, then times the first `tools/call` on B (a resume) and the second
 * (a local hit). Run: `npx tsx bench/session-resume.bench.ts`.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startGateway } from '../test/helpers/gateway.js';
import { callTool, createUpstreamServer, mcpBackendYaml, openSession } from '../test/e2e/helpers.js';
import { serveHttp } from '../test/fixtures/serve.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 200);
const upstream = await serveHttp(() => createUpstreamServer());
const yaml = `binds:\n- port: 0\n  listeners:\n  - routes:\n    - ${mcpBackendYaml(upstream.url).trimStart()}`;
const env = { PORTCULLIS_SESSION_KEY: randomBytes(32).toString('base64') };
const a = await startGateway(yaml, { env, logLevel: 'warn', name: 'bench-resume-a' });
const b = await startGateway(yaml, { env, logLevel: 'warn', name: 'bench-resume-b' });
const resume: number[] = [];
const local: number[] = [];
try {
  for (let i = 0; i < ROUNDS + 20; i++) {
    const s = await openSession(`${a.url}/mcp`);
    const t0 = performance.now();
    const r1 = await callTool(`${b.url}/mcp`, s, 'echo', { message: 'x' });
    const t1 = performance.now();
    const r2 = await callTool(`${b.url}/mcp`, s, 'echo', { message: 'x' });
    const t2 = performance.now();
    if (r1.status !== 200 || r2.status !== 200) throw new Error(`${r1.status} ${r2.status}`);
    if (i >= 20) {
      resume.push(t1 - t0);
      local.push(t2 - t1);
    }
    await fetch(`${b.url}/mcp`, { method: 'DELETE', headers: s.headers });
    // A still holds its own copy until it idles out: end it there too (docs/deploy.md).
    await fetch(`${a.url}/mcp`, { method: 'DELETE', headers: s.headers });
  }
} finally {
  await a.stop();
  await b.stop();
  await upstream.close();
}
const q = (xs: number[], p: number): string => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(2);
};
console.log(`${ROUNDS} sessions, ms per tools/call on replica B (p50 / p90 / p99):`);
console.log(`  first (resume): ${q(resume, 0.5)} / ${q(resume, 0.9)} / ${q(resume, 0.99)}`);
console.log(`  second (local): ${q(local, 0.5)} / ${q(local, 0.9)} / ${q(local, 0.99)}`);
