/**
 * Form fields from a tool's `inputSchema` (JSON Schema): strings, numbers, integers, booleans and enums
 * get their own inputs; arrays, objects and anything else get a JSON textarea.
 */

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

export interface FormField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description: string | undefined;
  readonly options: readonly unknown[];
  /** Initial value as the input holds it (text; "true"/"false" for booleans). */
  readonly initial: string;
  /** A hint for the JSON textarea, e.g. `array of string`. */
  readonly hint: string | undefined;
}

type Json = Record<string, unknown>;

export function fieldsFromSchema(schema: unknown): FormField[] {
  const s = asObject(schema);
  const props = asObject(s['properties']);
  const required = new Set(Array.isArray(s['required']) ? (s['required'] as unknown[]).map(String) : []);
  return Object.entries(props).map(([name, raw]) => fieldOf(name, asObject(raw), required.has(name)));
}

function fieldOf(name: string, p: Json, required: boolean): FormField {
  const description = typeof p['description'] === 'string' ? p['description'] : undefined;
  const type = primaryType(p);
  const base = {
    name,
    required,
    description,
    options: [] as unknown[],
    hint: undefined as string | undefined,
  };
  const def = p['default'];
  if (Array.isArray(p['enum'])) {
    const options = p['enum'] as unknown[];
    return {
      ...base,
      kind: 'enum',
      options,
      initial:
        def !== undefined
          ? JSON.stringify(def)
          : required && options.length
            ? JSON.stringify(options[0])
            : '',
    };
  }
  switch (type) {
    case 'string':
      return { ...base, kind: 'string', initial: typeof def === 'string' ? def : '' };
    case 'number':
    case 'integer':
      return { ...base, kind: type, initial: typeof def === 'number' ? String(def) : '' };
    case 'boolean':
      return { ...base, kind: 'boolean', initial: def === true ? 'true' : 'false' };
    default: {
      const items = asObject(p['items']);
      const hint =
        type === 'array'
          ? `JSON array${items['type'] ? ` of ${String(items['type'])}` : ''}`
          : type === 'object'
            ? 'JSON object'
            : 'JSON value';
      const initial =
        def !== undefined
          ? JSON.stringify(def, null, 2)
          : type === 'array'
            ? '[]'
            : type === 'object'
              ? '{}'
              : '';
      return { ...base, kind: 'json', initial, hint };
    }
  }
}

function primaryType(p: Json): string | undefined {
  const t = p['type'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
  for (const k of ['anyOf', 'oneOf']) {
    const list = p[k];
    if (Array.isArray(list)) {
      const types = list.map((x) => asObject(x)['type']).filter((x) => typeof x === 'string' && x !== 'null');
      if (types.length === 1) return types[0] as string;
    }
  }
  return undefined;
}

export type BuildResult =
  | { readonly ok: true; readonly args: Json }
  | { readonly ok: false; readonly errors: Record<string, string> };

/** Turn the inputs' text values into tool arguments; empty optional fields are left out. */
export function buildArgs(
  fields: readonly FormField[],
  values: Readonly<Record<string, string>>,
): BuildResult {
  const args: Json = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.name] ?? f.initial;
    if (f.kind === 'boolean') {
      args[f.name] = v === 'true';
      continue;
    }
    if (v.trim() === '') {
      if (f.required) errors[f.name] = 'required';
      continue;
    }
    switch (f.kind) {
      case 'string':
        args[f.name] = v;
        break;
      case 'number':
      case 'integer': {
        const n = Number(v);
        if (!Number.isFinite(n)) errors[f.name] = 'not a number';
        else if (f.kind === 'integer' && !Number.isInteger(n)) errors[f.name] = 'must be a whole number';
        else args[f.name] = n;
        break;
      }
      case 'enum':
        args[f.name] = JSON.parse(v) as unknown;
        break;
      case 'json':
        try {
          args[f.name] = JSON.parse(v) as unknown;
        } catch (e) {
          errors[f.name] = `invalid JSON: ${(e as Error).message}`;
        }
        break;
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, args };
}

function asObject(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}
