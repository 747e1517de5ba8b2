import { readFileSync } from 'node:fs';

/** The gateway's version for serverInfo/clientInfo: package.json is two levels up from src/mcp and dist/mcp alike. */
export function gatewayVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
