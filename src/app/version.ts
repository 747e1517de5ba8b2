import { gatewayVersion } from '../mcp/version.js';

/** The package version, read once at startup (the one reader is src/mcp/version.ts). */
export const VERSION: string = gatewayVersion();
