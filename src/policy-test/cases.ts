/**
 * The policy test file (`portcullis test policies.test.yaml`, docs/policy-tests.md): which config,
 * which route, and cases of identity × item → expected decision. Parsed with zod; a bad file is one
 * clear error per problem, with the path to the field.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

const identity = z.union([
  z.literal('anonymous'),
  z.strictObject({ claims: z.record(z.string(), z.unknown()) }),
  z.strictObject({ token: z.string().min(1) }),
  z.strictObject({ tokenFile: z.string().min(1) }),
]);

const testCase = z
  .strictObject({
    name: z.string().min(1).optional(),
    /** Default: anonymous (no token). */
    identity: identity.optional(),
    tool: z.string().min(1).optional(),
    prompt: z.string().min(1).optional(),
    resource: z.string().min(1).optional(),
    /** The target; optional when the route has one target or the name carries the target prefix. */
    target: z.string().min(1).optional(),
    /** Request headers the rules may read (`request.headers`). */
    headers: z.record(z.string(), z.string()).optional(),
    expect: z.enum(['allow', 'deny', 'unauthenticated']),
    /** The deciding rule, as every view names it: `rules[0]`; `none` when no rule may decide. */
    rule: z
      .string()
      .regex(/^(rules\[\d+\]|none)$/, 'a rule is named rules[N] (0-based, as in the config path) or none')
      .optional(),
  })
  .refine((c) => [c.tool, c.prompt, c.resource].filter((x) => x !== undefined).length === 1, {
    message: 'each case names exactly one of tool, prompt or resource',
  });

export const policyTestFile = z.strictObject({
  /** The gateway config, relative to this file. */
  config: z.string().min(1),
  /** Route key or name; default: the config's only MCP route. */
  route: z.string().min(1).optional(),
  cases: z.array(testCase).min(1),
});

export type PolicyTestFile = z.infer<typeof policyTestFile>;
export type PolicyTestCase = z.infer<typeof testCase>;

export class PolicyTestFileError extends Error {}

export interface LoadedTestFile {
  readonly file: string;
  readonly dir: string;
  readonly spec: PolicyTestFile;
}

export function loadPolicyTestFile(file: string): LoadedTestFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PolicyTestFileError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) {
    throw new PolicyTestFileError(
      doc.errors.map((e) => `${file}: YAML syntax error: ${e.message}`).join('\n'),
    );
  }
  const parsed = policyTestFile.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new PolicyTestFileError(
      parsed.error.issues
        .map(
          (i) =>
            `${file}: ${i.path
              .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
              .join('')
              .replace(/^\./, '')}: ${i.message}`,
        )
        .join('\n'),
    );
  }
  const abs = resolve(file);
  return { file: abs, dir: dirname(abs), spec: parsed.data };
}
