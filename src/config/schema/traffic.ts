import { z } from 'zod';
import { serviceHost } from './service-target.js';

/** Gateway-API-like filters: `urlRewrite`, `requestRedirect`, `requestMirror` (agentgateway names). */
const authority = z.union([
  z.strictObject({ full: z.string().min(1) }),
  z.strictObject({ host: z.string().min(1) }),
  z.strictObject({ port: z.number().int().min(1).max(65535) }),
  z.literal('auto'),
  z.literal('none'),
]);
const path = z.union([z.strictObject({ full: z.string() }), z.strictObject({ prefix: z.string() })]);

export const urlRewrite = z.strictObject({
  authority: authority.nullable().optional(),
  path: path.nullable().optional(),
});

export const requestRedirect = z.strictObject({
  scheme: z.enum(['http', 'https']).nullable().optional(),
  authority: authority.nullable().optional(),
  path: path.nullable().optional(),
  status: z
    .union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)])
    .nullable()
    .optional(),
});

/** `{host: "hostname:port"}`, or `{backend: name}` of a top-level `backends` entry with a `host`. */
export const mirrorBackend = z
  .strictObject({ host: serviceHost.optional(), backend: z.string().min(1).optional() })
  .refine((c) => (c.host === undefined) !== (c.backend === undefined), {
    message: 'set exactly one of `host` and `backend`',
  });

export const requestMirror = z.strictObject({
  backend: mirrorBackend,
  /** Fraction of matching requests mirrored, 0.0–1.0. */
  percentage: z.number().min(0).max(1),
});

export type UrlRewriteConfig = z.infer<typeof urlRewrite>;
export type RequestRedirectConfig = z.infer<typeof requestRedirect>;
export type RequestMirrorConfig = z.infer<typeof requestMirror>;
