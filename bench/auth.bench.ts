/**
 * jwtAuth verification cost (not a test; numbers vary by machine): `npx tsx bench/auth.bench.ts [--quick]`.
 * The real compiled authenticator (`compileJwtAuth`, a JWKS file read through a BuildContext), per
 * algorithm (ES256, RS256), in µs per `authenticate()`:
 *   - no token (optional mode: anonymous) — the extraction path alone;
 *   - first verification — every token new to the cache (a fresh authenticator per round);
 *   - cache hit — the same token again (LRU lookup + exp + key-still-published checks);
 *   - baseline in the same run: jose's `jwtVerify` alone with the same key and claim checks.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { ConfigPath } from '../src/config/types.js';
import type { CompiledAuthenticator } from '../src/policies/types.js';
import type { BuildContext } from '../src/contracts/build-context.js';
import { compileJwtAuth } from '../src/policies/jwt/index.js';
import { makeKey, signToken, AUDIENCE, ISSUER, type BenchKey } from './lib/keys.js';
import { fmt, fmtInt, machineLine, median, numArg, summary, table } from './lib/stats.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const ROUNDS = numArg(argv, '--rounds', quick ? 5 : 11);
/** Distinct tokens per first-verification round. */
const FRESH = numArg(argv, '--fresh', quick ? 100 : 300);
/** Operations per round for the cheap cases. */
const OPS = numArg(argv, '--ops', quick ? 5_000 : 20_000);
const AT: ConfigPath = ['jwtAuth'];

const ctx: BuildContext = {
  readFile: (path) => readFileSync(resolve(path), 'utf8'),
  error: (at: ConfigPath, msg: string) => new Error(`${at.join('.')}: ${msg}`),
  locate: (at: ConfigPath) => at.join('.'),
  warn: () => {},
};

const compile = (key: BenchKey): Promise<CompiledAuthenticator> =>
  compileJwtAuth({ issuer: ISSUER, audiences: [AUDIENCE], jwks: { file: key.jwksFile } }, ctx, AT);

/** A request as node gives it to the pipeline (rawHeaders: duplicates are checked). */
const request = (token: string | undefined) =>
  token === undefined
    ? { headers: { host: 'gw' }, rawHeaders: ['Host', 'gw'] }
    : {
        headers: { host: 'gw', authorization: `Bearer ${token}` },
        rawHeaders: ['Host', 'gw', 'Authorization', `Bearer ${token}`],
      };

interface Cost {
  /** Wall-clock µs per op (includes webcrypto's thread-pool round trip). */
  readonly us: number;
  /** Process CPU µs per op (all threads: the pool's crypto work counts too). */
  readonly cpu: number;
}

/** Medians over rounds; `round(r)` performs `ops` operations and is awaited. */
async function measure(rounds: number, ops: number, round: (r: number) => Promise<void>): Promise<Cost> {
  await round(-1); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await round(r);
    wall.push(((performance.now() - t0) * 1000) / ops);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / ops);
  }
  return { us: median(wall), cpu: median(cpu) };
}

interface Row extends Cost {
  readonly alg: string;
  readonly name: string;
  readonly vsJose?: number;
}

async function benchAlg(dir: string, alg: 'ES256' | 'RS256'): Promise<Row[]> {
  const key = await makeKey(dir, alg);
  const one = await signToken(key);
  const fresh: string[][] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const batch: string[] = [];
    for (let i = 0; i < FRESH; i++) batch.push(await signToken(key, { jti: `${r}-${i}` }));
    fresh.push(batch);
  }
  const jwks = createLocalJWKSet(JSON.parse(readFileSync(key.jwksFile, 'utf8')) as JSONWebKeySet);
  const auth = await compile(key);
  const anon = request(undefined);
  const same = request(one);
  const check = (id: unknown): void => {
    if (!id) throw new Error(`${alg}: token not accepted`);
  };

  const none = await measure(ROUNDS, OPS, async () => {
    for (let i = 0; i < OPS; i++) if ((await auth.authenticate(anon)) !== null) throw new Error('identity?');
  });
  const hit = await measure(ROUNDS, OPS, async () => {
    for (let i = 0; i < OPS; i++) check(await auth.authenticate(same));
  });
  // A fresh authenticator per round, so every token of the round is a cache miss.
  const authenticators: CompiledAuthenticator[] = [];
  for (let r = 0; r <= ROUNDS; r++) authenticators.push(await compile(key));
  const miss = await measure(ROUNDS, FRESH, async (r) => {
    const a = authenticators[r + 1]!;
    for (const t of fresh[r + 1]!) check(await a.authenticate(request(t)));
  });
  const jose = await measure(ROUNDS, FRESH, async (r) => {
    for (const t of fresh[r + 1]!) check(await jwtVerify(t, jwks, { issuer: ISSUER, audience: AUDIENCE }));
  });
  for (const a of [auth, ...authenticators]) a.close();
  return [
    { alg, name: 'no token (anonymous)', ...none },
    { alg, name: 'first verification', ...miss, vsJose: miss.cpu / jose.cpu },
    { alg, name: 'cache hit', ...hit, vsJose: hit.cpu / jose.cpu },
    { alg, name: 'baseline: jose jwtVerify alone', ...jose, vsJose: 1 },
  ];
}

console.log(machineLine());
console.log(
  `${ROUNDS} rounds; ${FRESH} fresh tokens per first-verification round; ${OPS} ops per cheap round`,
);
const dir = mkdtempSync(join(tmpdir(), 'portcullis-auth-bench-'));
try {
  const rows: Row[] = [...(await benchAlg(dir, 'ES256')), ...(await benchAlg(dir, 'RS256'))];
  console.log(
    '\n' +
      table([
        ['alg', 'authenticate()', 'µs/op', 'cpu µs/op', 'ops/s', 'cpu × jose verify'],
        ...rows.map((r) => [
          r.alg,
          r.name,
          fmt(r.us),
          fmt(r.cpu),
          fmtInt(1e6 / r.us),
          r.vsJose === undefined ? '—' : `${fmt(r.vsJose)}×`,
        ]),
      ]),
  );
  for (const alg of ['ES256', 'RS256']) {
    const get = (name: string): number => rows.find((r) => r.alg === alg && r.name === name)?.us ?? NaN;
    const miss = get('first verification');
    const hit = get('cache hit');
    summary(
      `auth ${alg}: first verification ${fmt(miss)} µs, cache hit ${fmt(hit)} µs (${fmt(miss / hit, 0)}× cheaper), jose alone ${fmt(get('baseline: jose jwtVerify alone'))} µs`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
