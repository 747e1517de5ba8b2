/**
 * The JSON Schema of the config file, generated from the same zod schema that validates it (so editor
 * hints cannot drift from the loader). Written to schema/config.schema.json by scripts/gen-schema.ts;
 * a test fails when the committed file differs.
 */
import { z } from 'zod';
import * as s from './schema/index.js';

export const JSON_SCHEMA_PATH = 'schema/config.schema.json';

/** Named definitions: each appears once under `definitions` and is referenced where used. */
const DEFINITIONS: readonly [z.ZodType, string][] = [
  [s.duration, 'Duration'],
  [s.fileRef, 'FileRef'],
  [s.celExpr, 'CelExpression'],
  [s.jwksSource, 'JwksSource'],
  [s.jwtAuth, 'JwtAuth'],
  [s.mcpAuthentication, 'McpAuthentication'],
  [s.rule, 'Rule'],
  [s.rules, 'Rules'],
  [s.cors, 'Cors'],
  [s.csrf, 'Csrf'],
  [s.backendAuth, 'BackendAuth'],
  [s.backendTLS, 'BackendTls'],
  [s.headerModifier, 'HeaderModifier'],
  [s.localRateLimit, 'LocalRateLimit'],
  [s.routePolicies, 'RoutePolicies'],
  [s.mcpTarget, 'McpTarget'],
  [s.mcpBackend, 'McpBackend'],
  [s.backend, 'Backend'],
  [s.routeMatch, 'RouteMatch'],
  [s.route, 'Route'],
  [s.listener, 'Listener'],
  [s.bind, 'Bind'],
  [s.staticConfig, 'StaticConfig'],
  [s.mcpShorthand, 'McpShorthand'],
];

export function configJsonSchema(): Record<string, unknown> {
  const ids = z.registry<{ id: string }>();
  for (const [schema, id] of DEFINITIONS) ids.add(schema, { id });
  const schema = z.toJSONSchema(s.rootConfig, {
    target: 'draft-7',
    io: 'input',
    metadata: ids,
    // Descriptions and `deprecated` live in zod's global registry (`.describe()`, `.meta()`).
    override: ({ zodSchema, jsonSchema }) => {
      const meta = z.globalRegistry.get(zodSchema);
      if (meta?.description) jsonSchema.description = meta.description;
      if (meta?.deprecated) jsonSchema.deprecated = true;
    },
  });
  return { ...schema, title: 'Portcullis configuration (agentgateway standalone format)' };
}

/** The file's exact text (2-space JSON, trailing newline). */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
