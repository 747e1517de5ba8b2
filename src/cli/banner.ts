import type { DemoToken } from '../admin/api.js';
import type { Portcullis } from '../app/run.js';
import { VERSION } from '../app/version.js';

/** The startup banner: every listening address, the admin UI URL, the watched file, demo tokens. */
export function banner(
  p: Portcullis,
  opts: { configName: string; watched: boolean; demo: readonly DemoToken[] },
): string {
  const lines = [`Portcullis ${VERSION} is running`];
  for (const a of p.gateway.addresses()) lines.push(`  listening   ${a.url}  (${a.key})`);
  if (p.adminUrl) lines.push(`  admin UI    ${p.adminUrl}/ui/   playground: ${p.adminUrl}/ui/playground/`);
  if (p.statsUrl) lines.push(`  metrics     ${p.statsUrl.replace('//0.0.0.0:', '//localhost:')}/metrics`);
  if (p.readinessUrl) lines.push(`  readiness   ${p.readinessUrl}/healthz/ready`);
  lines.push(`  config      ${opts.configName}${opts.watched ? '  (watched: reloads on save)' : ''}`);
  const first = p.gateway.addresses()[0];
  if (opts.demo.length && first) {
    lines.push('', 'Demo tokens (quickstart only — never use these keys elsewhere):');
    for (const t of opts.demo) lines.push(`  ${t.name} (${t.description ?? ''}):`, `    ${t.token}`);
    lines.push(
      '',
      'Try it (TOKEN=one of the tokens above, or leave it out to call as anonymous):',
      `  curl -s ${first.url}/mcp -H 'content-type: application/json' \\`,
      `    -H 'accept: application/json, text/event-stream' -H "authorization: Bearer $TOKEN" \\`,
      `    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'`,
    );
  }
  return lines.join('\n') + '\n';
}
