/** JSON ↔ google.protobuf.Struct in @grpc/proto-loader's object form (keepCase: snake_case fields). */

export interface PbValue {
  null_value?: 'NULL_VALUE' | 0;
  number_value?: number;
  string_value?: string;
  bool_value?: boolean;
  struct_value?: PbStruct;
  list_value?: { values: PbValue[] };
  kind?: string;
}
export interface PbStruct {
  fields: Record<string, PbValue>;
}

/** Depth beyond which nested values are cut (a CEL result or a token's claims are never this deep). */
const MAX_DEPTH = 32;

export function toPbValue(v: unknown, depth = 0): PbValue {
  if (depth > MAX_DEPTH || v === null || v === undefined) return { null_value: 0 };
  if (typeof v === 'bigint') return { number_value: Number(v) };
  if (typeof v === 'number') return { number_value: v };
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (Array.isArray(v)) return { list_value: { values: v.map((x) => toPbValue(x, depth + 1)) } };
  if (v instanceof Map) return { struct_value: toPbStruct(Object.fromEntries(v), depth + 1) };
  if (typeof v === 'object') return { struct_value: toPbStruct(v as Record<string, unknown>, depth + 1) };
  return { string_value: String(v) };
}

export function toPbStruct(o: Record<string, unknown>, depth = 0): PbStruct {
  const fields: Record<string, PbValue> = {};
  for (const [k, v] of Object.entries(o)) fields[k] = toPbValue(v, depth);
  return { fields };
}

export function fromPbValue(v: PbValue | undefined, depth = 0): unknown {
  if (!v || depth > MAX_DEPTH) return null;
  const kind = v.kind;
  if (kind === 'number_value' || (kind === undefined && v.number_value !== undefined)) return v.number_value;
  if (kind === 'string_value' || (kind === undefined && v.string_value !== undefined)) return v.string_value;
  if (kind === 'bool_value' || (kind === undefined && v.bool_value !== undefined)) return v.bool_value;
  if (kind === 'struct_value' || (kind === undefined && v.struct_value))
    return fromPbStruct(v.struct_value, depth + 1);
  if (kind === 'list_value' || (kind === undefined && v.list_value))
    return (v.list_value?.values ?? []).map((x) => fromPbValue(x, depth + 1));
  return null;
}

export function fromPbStruct(s: PbStruct | undefined | null, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) out[k] = fromPbValue(v, depth);
  return out;
}
