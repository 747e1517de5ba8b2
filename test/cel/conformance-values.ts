/**
 * cel-spec conformance data (JSON form of cel.expr.Value) ↔ cel-js values, for test/cel/conformance.test.ts.
 * Values that need protobuf messages (TestAllTypes, wrappers, Any, enums) are reported as unsupported.
 */
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';

export class Unsupported extends Error {}

export type JsonValue = Record<string, unknown>;

const DURATION = 'type.googleapis.com/google.protobuf.Duration';
const TIMESTAMP = 'type.googleapis.com/google.protobuf.Timestamp';

function durationNanos(text: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!m) throw new Unsupported(`duration ${text}`);
  const nanos = BigInt(m[2] as string) * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
  return m[1] ? -nanos : nanos;
}

/** A binding (input) value: like fromExpected, but timestamps and durations become real cel-js values. */
export function fromBinding(v: JsonValue): unknown {
  const x = fromExpected(v);
  if (x && typeof x === 'object' && 'timestamp' in x) return new Date((x as { timestamp: string }).timestamp);
  if (x && typeof x === 'object' && 'durationNanos' in x) {
    const n = (x as { durationNanos: bigint }).durationNanos;
    return new Duration(n / 1_000_000_000n, Number(n % 1_000_000_000n));
  }
  return x;
}

/** Expected JSON value → CEL value as cel-js represents it (timestamps/durations as exact markers). */
export function fromExpected(v: JsonValue): unknown {
  if ('int64Value' in v) return BigInt(v.int64Value as string);
  if ('uint64Value' in v) return new UnsignedInt(BigInt(v.uint64Value as string));
  if ('doubleValue' in v) return typeof v.doubleValue === 'string' ? Number(v.doubleValue) : v.doubleValue;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('nullValue' in v) return null;
  if ('bytesValue' in v) return new Uint8Array(Buffer.from(v.bytesValue as string, 'base64'));
  if ('listValue' in v) {
    const values = ((v.listValue as { values?: JsonValue[] }).values ?? []) as JsonValue[];
    return values.map(fromExpected);
  }
  if ('mapValue' in v) {
    const entries = ((v.mapValue as { entries?: { key: JsonValue; value: JsonValue }[] }).entries ?? []).map(
      (e) => [fromExpected(e.key), fromExpected(e.value)] as const,
    );
    if (entries.every(([k]) => typeof k === 'string')) return Object.fromEntries(entries);
    return new Map(entries);
  }
  if ('typeValue' in v) return { celType: v.typeValue as string };
  if ('objectValue' in v) {
    const o = v.objectValue as { '@type': string; value?: unknown };
    if (o['@type'] === TIMESTAMP) return { timestamp: o.value as string };
    if (o['@type'] === DURATION) return { durationNanos: durationNanos(o.value as string) };
    throw new Unsupported(`object ${o['@type']}`);
  }
  throw new Unsupported(`value ${Object.keys(v).join(',')}`);
}

function isMapLike(v: unknown): v is Map<unknown, unknown> | Record<string, unknown> {
  return (
    v instanceof Map || (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype)
  );
}

function entriesOf(v: Map<unknown, unknown> | Record<string, unknown>): [unknown, unknown][] {
  return v instanceof Map ? [...v] : Object.entries(v);
}

/** CEL equality of an actual cel-js value with an expected value from fromExpected(). */
export function celEquals(actual: unknown, expected: unknown): boolean {
  if (expected === null) return actual === null;
  if (typeof expected === 'bigint') return typeof actual === 'bigint' && actual === expected;
  if (expected instanceof UnsignedInt)
    return actual instanceof UnsignedInt && actual.valueOf() === expected.valueOf();
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    return Number.isNaN(expected) ? Number.isNaN(actual) : actual === expected;
  }
  if (typeof expected === 'string' || typeof expected === 'boolean') return actual === expected;
  if (expected instanceof Uint8Array) {
    return actual instanceof Uint8Array && Buffer.from(actual).equals(Buffer.from(expected));
  }
  if (Array.isArray(expected)) {
    const list = actual instanceof Set ? [...actual] : actual;
    return (
      Array.isArray(list) &&
      list.length === expected.length &&
      expected.every((e, i) => celEquals(list[i], e))
    );
  }
  if (typeof expected === 'object' && 'celType' in expected) {
    const name = (actual as { name?: unknown })?.name;
    return actual?.constructor?.name === 'Type' && name === (expected as { celType: string }).celType;
  }
  if (typeof expected === 'object' && 'timestamp' in expected) {
    const want = Date.parse((expected as { timestamp: string }).timestamp);
    return actual instanceof Date && actual.getTime() === want;
  }
  if (typeof expected === 'object' && 'durationNanos' in expected) {
    const d = actual as { seconds?: unknown; nanos?: unknown };
    if (actual?.constructor?.name !== 'Duration') return false;
    const nanos = BigInt(d.seconds as bigint) * 1_000_000_000n + BigInt(d.nanos as number);
    return nanos === (expected as { durationNanos: bigint }).durationNanos;
  }
  if (isMapLike(expected)) {
    if (!isMapLike(actual)) return false;
    const a = entriesOf(actual);
    const e = entriesOf(expected);
    if (a.length !== e.length) return false;
    return e.every(([k, v]) => a.some(([ak, av]) => celEquals(ak, k) && celEquals(av, v)));
  }
  return false;
}

/** A cel.expr.Type (JSON) → a cel-js type string. */
export function typeString(t: JsonValue): string {
  if ('primitive' in t) {
    const p: Record<string, string> = {
      INT64: 'int',
      UINT64: 'uint',
      DOUBLE: 'double',
      STRING: 'string',
      BOOL: 'bool',
      BYTES: 'bytes',
    };
    const s = p[t.primitive as string];
    if (!s) throw new Unsupported(`primitive ${String(t.primitive)}`);
    return s;
  }
  if ('listType' in t) return `list<${typeString((t.listType as { elemType: JsonValue }).elemType)}>`;
  if ('mapType' in t) {
    const m = t.mapType as { keyType: JsonValue; valueType: JsonValue };
    return `map<${typeString(m.keyType)}, ${typeString(m.valueType)}>`;
  }
  if ('null' in t) return 'null'; // cel-js spells null_type `null`
  if ('dyn' in t) return 'dyn';
  if ('wellKnown' in t) {
    if (t.wellKnown === 'TIMESTAMP') return 'google.protobuf.Timestamp';
    if (t.wellKnown === 'DURATION') return 'google.protobuf.Duration';
  }
  if ('messageType' in t) {
    if (t.messageType === 'google.protobuf.Timestamp' || t.messageType === 'google.protobuf.Duration') {
      return t.messageType as string;
    }
  }
  throw new Unsupported(`type ${JSON.stringify(t)}`);
}
