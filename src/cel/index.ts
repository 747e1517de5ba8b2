/**
 * Portcullis's CEL wrapper over @marcbachmann/cel-js (docs/cel.md): expressions are parsed and type
 * checked once at config load; a request only evaluates them.
 */
import type { Environment } from '@marcbachmann/cel-js';
import type { ConfigPath } from '../config/types.js';
import type { BuildContext } from '../contracts/build-context.js';
import type { CelActivation } from './activation.js';
import { callsVariables, withVariables } from './agentgateway-functions.js';
import { anonymousForm } from './analysis.js';
import { caretLines, describeCelError } from './diagnostics.js';
import { celEnvironment, type CelVariableSet } from './environment.js';
import { celReferences, type CelReferences } from './references.js';
import { CompileCache } from './compile-cache.js';

export {
  buildActivation,
  buildBaseActivation,
  withMcp,
  CelMcp,
  CelMcpItem,
  CelRequest,
  CelResponse,
  CelSource,
  type ActivationExtras,
  type CelActivation,
  type CelSubject,
} from './activation.js';
export { CEL_VARIABLES, createBaseEnvironment, type CelVariableSet } from './environment.js';
export { toCelClaims, toCelValue } from './values.js';
export { readsOnly, type CelReferences } from './references.js';

export interface CelCompileOptions {
  readonly variables: CelVariableSet;
  /** 'bool': the expression must type-check as bool (or dyn, checked again at evaluation). */
  readonly expect: 'bool' | 'any';
}

/** A compiled expression. Throws at evaluation on CEL errors (missing key, no token…): use evaluateBool. */
export type CompiledCel = (activation: CelActivation) => unknown;

export type CelCompileResult =
  | {
      readonly ok: true;
      readonly evaluate: CompiledCel;
      /** The checked result type (`bool`, `dyn`, `string`…). */
      readonly type: string;
      /**
       * What to evaluate when `jwt` is null, with the same truth as `evaluate` (src/cel/analysis.ts);
       * undefined when the expression can never be true without a token.
       */
      readonly withoutJwt: CompiledCel | undefined;
      /** The identifiers and functions the expression uses (src/cel/references.ts). */
      readonly references: CelReferences;
    }
  | { readonly ok: false; readonly message: string };

/** Every compile result (failures too), shared by all config builds (src/cel/compile-cache.ts). */
const compiled = new CompileCache<CelCompileResult>();

/**
 * Parse and type-check `source` in one of our variable sets. Never throws: a bad expression yields a
 * message with the expression's line and a caret under the offending spot.
 */
export function tryCompileCel(source: string, opts: CelCompileOptions): CelCompileResult {
  return compiled.getOrCompute(`${opts.variables}\0${opts.expect}\0${source}`, () =>
    compileUncached(source, opts),
  );
}

function compileUncached(source: string, opts: CelCompileOptions): CelCompileResult {
  const result = compileInEnvironment(celEnvironment(opts.variables), source, opts.expect);
  if (result.ok) return result;
  if (result.message !== undefined) return { ok: false, message: result.message };
  return { ok: false, message: problem(result.error, source, opts.variables) };
}

/**
 * The compile step itself, in any environment built from `createBaseEnvironment()` (the conformance test
 * runs the cel-spec suites through here with its own variables).
 */
export function compileInEnvironment(
  env: Environment,
  source: string,
  expect: 'bool' | 'any',
  opts: { readonly typeCheck?: boolean; readonly analyse?: boolean } = {},
):
  | (CelCompileResult & { readonly ok: true })
  | { readonly ok: false; readonly error: unknown; readonly message?: string } {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(source);
  } catch (error) {
    return { ok: false, error };
  }
  let type = 'dyn';
  if (opts.typeCheck !== false) {
    const checked = parsed.check();
    if (!checked.valid) return { ok: false, error: checked.error };
    type = checked.type ?? 'dyn';
  }
  if (expect === 'bool' && type !== 'bool' && type !== 'dyn') {
    const span = { start: 0, end: source.trimEnd().length };
    return {
      ok: false,
      error: undefined,
      message: `expected a boolean expression, but this is of type ${type}\n${caretLines(source, span)}`,
    };
  }
  const plain = function celExpression(activation: CelActivation): unknown {
    return parsed(activation);
  };
  const evaluate = callsVariables(source) ? withVariables(plain) : plain;
  return {
    ok: true,
    type,
    evaluate,
    withoutJwt: opts.analyse === false ? evaluate : anonymous(env, parsed, source, evaluate),
    references: celReferences(parsed.ast),
  };
}

/** The evaluator for callers without a token (see analysis.ts); falls back to the full expression. */
function anonymous(
  env: Environment,
  parsed: ReturnType<Environment['parse']>,
  source: string,
  evaluate: CompiledCel,
): CompiledCel | undefined {
  const form = anonymousForm(parsed.ast, source);
  if (form.kind === 'never') return undefined;
  if (form.kind === 'same') return evaluate;
  const simplified = compileInEnvironment(env, form.source, 'bool', { analyse: false });
  return simplified.ok ? simplified.evaluate : evaluate;
}

function problem(err: unknown, source: string, set: CelVariableSet): string {
  const { text, span } = describeCelError(err, source, set);
  return `${text}\n${caretLines(source, span)}`;
}

/**
 * Compile at config load, or throw the located config error (`ctx.error(at, …)`) naming file, line and
 * field path. Used by rate-limit keys, log filters and the authorization rules.
 */
export function compileCelExpression(
  source: string,
  ctx: BuildContext,
  at: ConfigPath,
  opts: CelCompileOptions,
): CompiledCel {
  const result = tryCompileCel(source, opts);
  if (!result.ok) throw ctx.error(at, `invalid CEL expression: ${result.message}`);
  return result.evaluate;
}

export interface BoolResult {
  /** True only when the expression evaluated to the boolean `true`. */
  readonly value: boolean;
  /** The evaluation error, or a "not a bool" error; undefined when it evaluated to a boolean. */
  readonly error: Error | undefined;
}

const TRUE: BoolResult = Object.freeze({ value: true, error: undefined });
const FALSE: BoolResult = Object.freeze({ value: false, error: undefined });

/**
 * Evaluate without throwing: an error or a non-boolean result counts as false (agentgateway semantics).
 * cel-js reports a missing key by throwing; capturing a stack trace for each of those costs more than
 * the evaluation and the trace is never used, so traces are off while the (synchronous) evaluation runs.
 */
export function evaluateBool(expr: CompiledCel, activation: CelActivation): BoolResult {
  let v: unknown;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    v = expr(activation);
  } catch (err) {
    return { value: false, error: err instanceof Error ? err : new Error(String(err)) };
  } finally {
    Error.stackTraceLimit = limit;
  }
  if (v === true) return TRUE;
  if (v === false) return FALSE;
  return {
    value: false,
    error: new Error(`expected a bool, got ${typeof v === 'bigint' ? 'int' : typeof v}`),
  };
}
