import { parseDurationMs } from '../duration.js';
import { z } from 'zod';

/** A duration string in Go's spelling (src/config/duration.ts): `250ms`, `10s`, `1m30s`, `500us`, `0`. */
export const duration = z
  .string()
  .refine((s) => parseDurationMs(s) !== undefined, {
    message: 'expected a duration such as "250ms", "10s", "5m", "1h", "1m30s" or "500us"',
  })
  .describe('a duration such as "250ms", "10s", "5m", "1h", "1m30s" or "500us"');

/** `{file: path}` — a file read at config load, resolved against CWD then the config's folder. */
export const fileRef = z
  .strictObject({ file: z.string().min(1) })
  .describe('a file, relative to the working directory first, then to the config file');

/** A CEL expression, compiled and type-checked at config load. */
export const celExpr = z.string().min(1).describe('a CEL expression');

export const stringMap = z.record(z.string(), z.string());
