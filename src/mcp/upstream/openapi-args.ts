/**
 * Argument checks for OpenAPI tools: each tool's input schema is compiled once, when the schema document
 * is turned into tools, with the JSON Schema validator the MCP SDK itself uses (its ajv provider, ajv
 * with formats). A call whose arguments do not match is refused before any request is built.
 *
 * The validator is loaded on first use (`createRequire`): ajv costs ~150 ms to import and only gateways
 * with an OpenAPI target need it.
 */
import { createRequire } from 'node:module';
import type { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

/** Undefined when the arguments are valid, else a message for a JSON-RPC -32602 error (no values). */
export type ArgumentCheck = (args: unknown) => string | undefined;

type ValidatorClass = typeof AjvJsonSchemaValidator;

const requireCjs = createRequire(import.meta.url);

/** One validator per schema document: compiled schemas share its ajv instance. */
export function argumentChecker(): (
  name: string,
  schema: Readonly<Record<string, unknown>>,
) => ArgumentCheck {
  const { AjvJsonSchemaValidator: Validator } = requireCjs('@modelcontextprotocol/sdk/validation/ajv') as {
    AjvJsonSchemaValidator: ValidatorClass;
  };
  const validator = new Validator();
  return function compileArgumentCheck(name, schema) {
    let validate: ReturnType<InstanceType<ValidatorClass>['getValidator']>;
    try {
      validate = validator.getValidator(
        nullableAsType(schema) as Parameters<InstanceType<ValidatorClass>['getValidator']>[0],
      );
    } catch (e) {
      // Fail closed for this tool only: one odd schema must not take the whole API down.
      const reason = (e as Error).message.split('\n')[0];
      return () => `tool ${name} cannot be called: its input schema does not compile (${reason})`;
    }
    return function checkArguments(args) {
      const r = validate(args);
      return r.valid
        ? undefined
        : `Invalid arguments for tool ${name}: ${r.errorMessage.replace(/\bdata\b/g, 'arguments')}`;
    };
  };
}

/** OpenAPI 3.0's `nullable: true` is JSON Schema's `type: [T, 'null']` (3.1 writes the latter itself). */
function nullableAsType(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(nullableAsType);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = nullableAsType(x);
  if (out['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  return out;
}
