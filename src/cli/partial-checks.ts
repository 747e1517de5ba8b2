/**
 * The checks `--validate-only` runs over the config as plain data, found by shape wherever they are:
 * stdio commands (always: the build never starts them), and, when the schema or normalization stage
 * failed and the build could not run, the parts that did parse — CEL rules and log expressions, JWKS
 * files, TLS PEM files. Each problem is located at file:line:col like every other config error.
 */
import { tryCompileCel, type CelVariableSet } from '../cel/index.js';
import type { ConfigBuildContext } from '../config/build-context.js';
import type { ConfigIssue } from '../config/errors.js';
import type { ConfigPath } from '../config/types.js';
import { parseCertificates, parsePrivateKey } from '../policies/backend-tls/pem.js';
import { warnPrefixedNames } from '../policies/authorization/prefixed-names.js';
import type { RuleConfig } from '../config/schema/policies.js';
import { importKeySetText } from '../policies/jwt/keys.js';
import { commandProblem } from './command-on-path.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

export interface PartialCheckOptions {
  /** Also check CEL, JWKS and PEM files (the build did not run). */
  readonly deep: boolean;
  readonly pathEnv: string | undefined;
  readonly cwd: string;
}

export async function partialChecks(
  data: unknown,
  ctx: ConfigBuildContext,
  o: PartialCheckOptions,
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  const pending: Promise<void>[] = [];
  const problem = (at: ConfigPath, message: string) => issues.push(ctx.issue(at, message));

  const read = (file: unknown, at: ConfigPath): string | undefined => {
    if (typeof file !== 'string') return undefined;
    try {
      return ctx.readFile(file, at);
    } catch (e) {
      const i = (e as { issues?: ConfigIssue[] }).issues;
      if (i) issues.push(...i);
      else problem(at, (e as Error).message);
      return undefined;
    }
  };

  const rules = (cfg: unknown, at: ConfigPath, variables: CelVariableSet) => {
    if (!isObj(cfg) || !Array.isArray(cfg.rules)) return;
    cfg.rules.forEach((rule: unknown, index) => {
      const [effect, source, key] =
        typeof rule === 'string'
          ? ['allow', rule, undefined]
          : isObj(rule)
            ? (['deny', 'require', 'allow']
                .filter((k) => typeof rule[k] === 'string')
                .map((k) => [k, rule[k] as string, k])[0] ?? [])
            : [];
      if (typeof source !== 'string') return;
      const r = tryCompileCel(source, { variables, expect: 'bool' });
      const path = key ? [...at, 'rules', index, key] : [...at, 'rules', index];
      if (!r.ok) problem(path, `invalid CEL ${String(effect)} rule: ${r.message}`);
    });
  };

  const jwks = (src: unknown, at: ConfigPath) => {
    if (!isObj(src) || typeof src.file !== 'string') return;
    const fileAt = [...at, 'file'];
    const text = read(src.file, fileAt);
    if (text === undefined) return;
    const file = src.file;
    pending.push(
      importKeySetText(text).then(
        () => undefined,
        (e: Error) => void problem(fileAt, `JWKS file ${file}: ${e.message}`),
      ),
    );
  };

  const pem = (file: unknown, at: ConfigPath, parse: (pem: string) => unknown) => {
    const text = read(file, at);
    if (text === undefined) return;
    try {
      parse(text);
    } catch (e) {
      problem(at, `${String(file)}: ${(e as Error).message}`);
    }
  };

  const policies = (p: unknown, at: ConfigPath) => {
    if (!isObj(p)) return;
    rules(p.authorization, [...at, 'authorization'], 'http');
    rules(p.mcpAuthorization, [...at, 'mcpAuthorization'], 'mcp');
    for (const name of ['jwtAuth', 'mcpAuthentication']) {
      const a = p[name];
      if (!isObj(a)) continue;
      jwks(a.jwks, [...at, name, 'jwks']);
      if (Array.isArray(a.providers))
        a.providers.forEach(
          (pr: unknown, i) => isObj(pr) && jwks(pr.jwks, [...at, name, 'providers', i, 'jwks']),
        );
    }
    const tls = p.backendTLS;
    if (isObj(tls)) {
      if (tls.root !== undefined) pem(tls.root, [...at, 'backendTLS', 'root'], parseCertificates);
      if (tls.cert !== undefined) pem(tls.cert, [...at, 'backendTLS', 'cert'], parseCertificates);
      if (tls.key !== undefined) pem(tls.key, [...at, 'backendTLS', 'key'], parsePrivateKey);
    }
  };

  /** The load warning about prefixed names, from the raw route (the build that emits it did not run). */
  const prefixed = (policies: Obj, backend: unknown, at: ConfigPath) => {
    const authz = policies.mcpAuthorization;
    if (!isObj(authz) || !Array.isArray(authz.rules) || !isObj(backend) || !Array.isArray(backend.targets))
      return;
    const targets = backend.targets.filter(
      (t: unknown): t is { name: string } => isObj(t) && typeof t.name === 'string',
    );
    const prefixMode = backend.prefixMode === 'always' ? 'always' : 'conditional';
    // Rules of a shape the schema rejected become `false` (keeping every other rule at its index).
    const rules = authz.rules.map((r: unknown) =>
      typeof r === 'string' ||
      (isObj(r) && ['allow', 'deny', 'require'].some((k) => typeof r[k] === 'string'))
        ? r
        : 'false',
    ) as RuleConfig[];
    warnPrefixedNames(rules, { targets, prefixMode }, ctx, [...at, 'mcpAuthorization']);
  };

  const walk = (node: unknown, at: ConfigPath): void => {
    if (Array.isArray(node)) return node.forEach((x, i) => walk(x, [...at, i]));
    if (!isObj(node)) return;
    if (isObj(node.stdio) && typeof node.stdio.cmd === 'string') {
      const why = commandProblem(node.stdio.cmd, o.pathEnv, o.cwd);
      if (why) problem([...at, 'stdio', 'cmd'], why);
    }
    if (o.deep) {
      if (isObj(node.policies)) {
        policies(node.policies, [...at, 'policies']);
        // A route's first backend, or the top-level `mcp:` shorthand (policies beside targets).
        const first = Array.isArray(node.backends) && isObj(node.backends[0]) ? node.backends[0].mcp : node;
        prefixed(node.policies, first, [...at, 'policies']);
      }
      if (isObj(node.tls) && at[at.length - 2] === 'listeners') {
        pem(node.tls.cert, [...at, 'tls', 'cert'], parseCertificates);
        pem(node.tls.key, [...at, 'tls', 'key'], parsePrivateKey);
      }
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'policies') walk(v, [...at, k]);
  };
  walk(data, []);
  if (o.deep && isObj(data) && isObj(data.config) && isObj(data.config.logging)) {
    const l = data.config.logging;
    const at = ['config', 'logging'];
    if (typeof l.filter === 'string') {
      const r = tryCompileCel(l.filter, { variables: 'log', expect: 'bool' });
      if (!r.ok) problem([...at, 'filter'], `invalid CEL expression: ${r.message}`);
    }
    const add = isObj(l.fields) && isObj(l.fields.add) ? l.fields.add : {};
    for (const [name, src] of Object.entries(add)) {
      if (typeof src !== 'string') continue;
      const r = tryCompileCel(src, { variables: 'log', expect: 'any' });
      if (!r.ok) problem([...at, 'fields', 'add', name], `invalid CEL expression: ${r.message}`);
    }
  }
  await Promise.all(pending);
  return issues;
}
