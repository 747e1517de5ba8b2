/**
 * The cel-spec conformance suites (from @bufbuild/cel-spec, cel-spec v0.25.1) run through our CEL wrapper:
 * the same environment options, extension functions and compile path (`compileInEnvironment`: parse,
 * type check, evaluate) the gateway uses. Only the sections covering what Portcullis relies on are run.
 *
 * - Tests that need protobuf messages (TestAllTypes, wrapper types, Any/Struct/Value, enums, containers)
 *   are counted as skipped: rules never see protobuf messages.
 * - Every other failure must be in EXPECTED_FAILURES (with the reason). A new failure fails this test, and
 *   so does an expected failure that now passes (remove it from the list).
 * - A type-check error counts as the error when the test expects an evaluation error: the gateway
 *   rejects such an expression at load, which is stricter still.
 */
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tests as conformance } from '@bufbuild/cel-spec/testdata/conformance.js';
import type { Environment } from '@marcbachmann/cel-js';
import { compileInEnvironment, createBaseEnvironment, type CelActivation } from '../../src/cel/index.js';
import {
  celEquals,
  fromBinding,
  fromExpected,
  typeString,
  Unsupported,
  type JsonValue,
} from './conformance-values.js';
import { EXPECTED_FAILURES } from './conformance-expected.js';

/** Section → sub-suites to run (undefined = all). What our rules rely on (docs/cel.md). */
const SECTIONS: Readonly<Record<string, readonly string[] | undefined>> = {
  basic: undefined,
  bindings_ext: undefined, // cel.bind
  comparisons: [
    'eq_literal',
    'ne_literal',
    'lt_literal',
    'gt_literal',
    'lte_literal',
    'gte_literal',
    'in_list_literal',
    'in_map_literal',
    'bound',
  ],
  conversions: undefined,
  fields: undefined, // map fields, has(), `in` on maps
  fp_math: undefined,
  integer_math: undefined,
  lists: undefined,
  logic: undefined, // error absorption in && / || / ?:
  macros: undefined,
  macros2: undefined,
  parse: undefined,
  plumbing: undefined,
  string: undefined,
  string_ext: [
    'char_at',
    'index_of',
    'last_index_of',
    'ascii_casing',
    'replace',
    'split',
    'substring',
    'trim',
    'join',
    'value_errors',
    'type_errors',
  ],
  timestamps: undefined,
};

const PROTO_IN_EXPR =
  /TestAllTypes|NestedTestAllTypes|proto[23]\.|GlobalEnum|google\.protobuf\.(?:Int32Value|Int64Value|UInt32Value|UInt64Value|FloatValue|DoubleValue|BoolValue|StringValue|BytesValue|Any|Struct|Value|ListValue|NullValue|FieldMask|Empty)\b/;

interface Original {
  readonly name?: string;
  readonly expr: string;
  readonly value?: JsonValue;
  readonly typedResult?: { readonly result?: JsonValue };
  readonly evalError?: unknown;
  readonly anyEvalErrors?: unknown;
  readonly bindings?: Readonly<Record<string, { readonly value?: JsonValue }>>;
  readonly typeEnv?: readonly { readonly name: string; readonly ident?: { readonly type: JsonValue } }[];
  readonly disableCheck?: boolean;
  readonly checkOnly?: boolean;
  readonly container?: string;
}

type Outcome = { kind: 'pass' } | { kind: 'skip'; why: string } | { kind: 'fail'; why: string };

function run(base: Environment, t: Original): Outcome {
  if (PROTO_IN_EXPR.test(t.expr)) return { kind: 'skip', why: 'protobuf message in expression' };
  if (t.container) return { kind: 'skip', why: 'container' };
  let env: Environment;
  const activation: Record<string, unknown> = {};
  let expected: unknown = true;
  try {
    env = base.clone();
    const declared = new Set<string>();
    for (const d of t.typeEnv ?? []) {
      if (!d.ident) continue;
      env.registerVariable(d.name, typeString(d.ident.type));
      declared.add(d.name);
    }
    for (const [name, b] of Object.entries(t.bindings ?? {})) {
      if (!b.value) throw new Unsupported('binding without value');
      activation[name] = fromBinding(b.value);
      if (!declared.has(name)) env.registerVariable(name, 'dyn');
    }
    const want = t.value ?? t.typedResult?.result;
    if (want) expected = fromExpected(want);
  } catch (err) {
    if (err instanceof Unsupported) return { kind: 'skip', why: `needs ${err.message}` };
    return { kind: 'fail', why: `setup: ${(err as Error).message}` };
  }
  const wantsError = t.evalError !== undefined || t.anyEvalErrors !== undefined;
  const compiled = compileInEnvironment(env, t.expr, 'any', { typeCheck: !t.disableCheck });
  if (!compiled.ok) {
    if (wantsError) return { kind: 'pass' };
    return { kind: 'fail', why: `compile: ${firstLine(compiled.error ?? compiled.message)}` };
  }
  if (t.checkOnly) return { kind: 'pass' };
  let actual: unknown;
  try {
    actual = compiled.evaluate(activation as unknown as CelActivation);
  } catch (err) {
    if (wantsError) return { kind: 'pass' };
    return { kind: 'fail', why: `eval: ${firstLine(err)}` };
  }
  if (wantsError) return { kind: 'fail', why: `expected an error, got ${show(actual)}` };
  return celEquals(actual, expected)
    ? { kind: 'pass' }
    : { kind: 'fail', why: `got ${show(actual)}, want ${show(expected)}` };
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

interface Suite {
  readonly name: string;
  readonly suites?: readonly Suite[];
  readonly tests?: readonly { readonly original: Original }[];
}

test('cel-spec conformance through the Portcullis CEL wrapper', (t) => {
  const base = createBaseEnvironment();
  let pass = 0;
  let skipped = 0;
  const failures = new Map<string, string>();
  for (const section of (conformance as Suite).suites ?? []) {
    if (!(section.name in SECTIONS)) continue;
    const only = SECTIONS[section.name];
    for (const sub of section.suites ?? []) {
      if (only && !only.includes(sub.name)) continue;
      for (const { original } of sub.tests ?? []) {
        const id = `${section.name}/${sub.name}/${original.name ?? original.expr}`;
        const outcome = run(base, original);
        if (outcome.kind === 'pass') pass++;
        else if (outcome.kind === 'skip') skipped++;
        else failures.set(id, outcome.why);
      }
    }
  }
  // Maintenance: CEL_CONFORMANCE_DUMP=/tmp/failures.json writes every current failure with its reason.
  const dump = process.env.CEL_CONFORMANCE_DUMP;
  if (dump) writeFileSync(dump, JSON.stringify(Object.fromEntries(failures), null, 2));
  const expected = new Set(Object.keys(EXPECTED_FAILURES));
  const unexpected = [...failures].filter(([id]) => !expected.has(id));
  const fixed = [...expected].filter((id) => !failures.has(id));
  const total = pass + failures.size;
  t.diagnostic(
    `cel-spec conformance: ${pass}/${total} passed (${((100 * pass) / total).toFixed(1)}%), ` +
      `${failures.size} expected failures, ${skipped} skipped (protobuf messages)`,
  );
  assert.deepEqual(
    unexpected.map(([id, why]) => `${id}: ${why}`),
    [],
    'new conformance failures (fix them or add them, with the reason, to test/cel/conformance-expected.ts)',
  );
  assert.deepEqual(fixed, [], 'these now pass: remove them from test/cel/conformance-expected.ts');
  assert.ok(pass >= 1000, `pass count dropped to ${pass}`);
});
