import { z } from 'zod';

/** A duration string such as `250ms`, `10s`, `5m`, `1h` (agentgateway/Go style, combinable: `1m30s`). */
export const duration = z
  .string()
  .regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'expected a duration such as "250ms", "10s", "5m" or "1h"')
  .describe('a duration such as "250ms", "10s", "5m", "1h" or "1m30s"');

/** `{file: path}` — a file read at config load, resolved against CWD then the config's folder. */
export const fileRef = z
  .strictObject({ file: z.string().min(1) })
  .describe('a file, relative to the working directory first, then to the config file');

/** A CEL expression, compiled and type-checked at config load. */
export const celExpr = z.string().min(1).describe('a CEL expression');

export const stringMap = z.record(z.string(), z.string());
