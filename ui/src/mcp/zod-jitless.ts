// Must be imported before the MCP SDK: zod would otherwise probe `new Function` (eval), which the UI's
// Content-Security-Policy forbids and Chrome reports as a console error.
(globalThis as { __zod_globalConfig?: Record<string, unknown> }).__zod_globalConfig = {
  ...(globalThis as { __zod_globalConfig?: Record<string, unknown> }).__zod_globalConfig,
  jitless: true,
};
export {};
