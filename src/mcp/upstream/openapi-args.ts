/**
 * Argument checks for OpenAPI tools, with the JSON Schema validator the MCP SDK itself uses (its ajv
 * provider, ajv with formats). A call whose arguments do not match is refused before any request is
 * built.
 *
 * Each tool's validator is compiled once, on the tool's first call, then kept: ajv compiles ~3.5 ms per
 * schema, so compiling a 600-operation API up front blocked the event loop for ~2 s at the first
 * session; the validator module itself (~150 ms to import) is loaded only by a gateway that calls an
 * OpenAPI tool (`createRequire`).
 */
import { createRequire } from 'node:module';
import type { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

/** Undefined when the arguments are valid, else a message for a JSON-RPC -32602 error (no values). */
export type ArgumentCheck = (args: unknown) => string | undefined;

type Validator = InstanceType<typeof AjvJsonSchemaValidator>;
type SchemaArg = Parameters<Validator['getValidator']>[0];

const requireCjs = createRequire(import.meta.url);

/** One validator per schema document: compiled schemas share its ajv instance. */
export function argumentChecker(): (
  name: string,
  schema: Readonly<Record<string, unknown>>,
) => ArgumentCheck {
  let validator: Validator | undefined;
  const shared = (): Validator => {
    if (!validator) {
      const sdk = requireCjs('@modelcontextprotocol/sdk/validation/ajv') as {
        AjvJsonSchemaValidator: typeof AjvJsonSchemaValidator;
      };
      validator = new sdk.AjvJsonSchemaValidator();
    }
    return validator;
  };
  return function prepareArgumentCheck(name, schema) {
    const jsonSchema = nullableAsType(schema) as SchemaArg;
    let check: ArgumentCheck | undefined;
    return function checkArguments(args) {
      check ??= compile(shared(), name, jsonSchema);
      return check(args);
    };
  };
}

function compile(validator: Validator, name: string, schema: SchemaArg): ArgumentCheck {
  let validate: ReturnType<Validator['getValidator']>;
  try {
    validate = validator.getValidator(schema);
  } catch (e) {
    // Fail closed for this tool only: one odd schema must not take the whole API down.
    const reason = (e as Error).message.split('\n')[0];
    return () => `tool ${name} cannot be called: its input schema does not compile (${reason})`;
  }
  return function validateArguments(args) {
    const r = validate(args);
    if (r.valid) return undefined;
    // ajv names the value `data` at the start of each error: say `arguments`.
    return `Invalid arguments for tool ${name}: ${r.errorMessage.replace(/(^|, )data(?=[/ ])/g, '$1arguments')}`;
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
