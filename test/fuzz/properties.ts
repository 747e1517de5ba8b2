/**
 * The fuzz properties, shared by the normal suite (test/fuzz/*.test.ts, ~1,000 cases) and
 * `npm run test:stress` (test/stress/, ≥ 10,000): every reply is valid HTTP, on MCP routes valid
 * JSON-RPC, never a 500 or a stack trace, and never names an item the caller may not see. Failures
 * carry fast-check's seed and path (replay: FUZZ_SEED=<seed> FUZZ_PATH=<path>).
 */
import fc from 'fast-check';
import { rawRequest } from '../helpers/raw-http.js';
import { jsonRpcCase, rawCase, type RawCase } from './arbitraries.js';
import { parseResponses } from './http-reply.js';
import { jsonRpcProblem } from './jsonrpc-check.js';
import { leakedNames, type FuzzTarget } from './target.js';

/** Replies by HTTP status over a suite (printed, so a run shows what it exercised). */
export const statuses = new Map<string, number>();
const tally = (s: number | string) => statuses.set(String(s), (statuses.get(String(s)) ?? 0) + 1);

/** Requests sent at once per property run (cases = runs × batch). */
export const BATCH = 8;

function fuzzParameters(cases: number): fc.Parameters<[unknown]> {
  const seed = process.env.FUZZ_SEED
    ? Number(process.env.FUZZ_SEED)
    : Date.now() ^ (Math.random() * 0x7fffffff);
  const path = process.env.FUZZ_PATH;
  // Printed up front too, so a crash that takes the process down still leaves the seed in the output.
  process.stdout.write(`# fuzz seed ${seed} (replay with FUZZ_SEED=${seed})\n`);
  return {
    numRuns: Math.max(1, Math.ceil(cases / BATCH)),
    seed,
    ...(path ? { path } : {}),
    endOnFailure: true,
    interruptAfterTimeLimit: 15 * 60_000,
    verbose: 1,
  };
}

/** What is wrong with the reply to one raw request, or undefined. */
async function checkRaw(t: FuzzTarget, c: RawCase): Promise<string | undefined> {
  const port = t.gw.port;
  const r = await rawRequest(port, c.pieces, { gapMs: c.gapMs, idleMs: 5000 });
  const sent = c.pieces.join('');
  const what = `request ${JSON.stringify(sent.slice(0, 300))}`;
  if (r.text === '') return r.closed ? `closed without a reply: ${what}` : `no reply within 5 s: ${what}`;
  const head = sent.startsWith('HEAD ');
  const parsed = parseResponses(r.text, r.closed, head);
  if (!parsed.ok) return `invalid HTTP (${parsed.why}) for ${what}: ${JSON.stringify(r.text.slice(0, 200))}`;
  for (const res of parsed.responses) {
    tally(res.status);
    if (res.status === 500) return `500 for ${what}: ${res.body.slice(0, 200)}`;
    if (/\n\s+at |\.ts:\d+:\d+|TypeError|Invalid URL/.test(res.body))
      return `stack or internal error text: ${res.body.slice(0, 200)}`;
    const problem = head ? undefined : jsonRpcProblem(res.headers['content-type'] ?? '', res.body);
    if (problem) return `${problem} for ${what}`;
  }
  const leaked = leakedNames(t, sent, r.text);
  if (leaked.length) return `denied names ${JSON.stringify(leaked)} in the reply to ${what}`;
  return undefined;
}

/** Run `property`; on failure throw one short error with the seed, the path and the first problem. */
async function check<T>(property: fc.IAsyncProperty<[T]>, cases: number): Promise<void> {
  const params = fuzzParameters(cases) as fc.Parameters<[T]>;
  const d = await fc.check(property, params);
  if (!d.failed) return;
  const cause = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
  throw new Error(
    `fuzz property failed after ${d.numRuns} runs — replay with FUZZ_SEED=${d.seed} FUZZ_PATH=${d.counterexamplePath ?? ''}\n` +
      cause.slice(0, 4000),
  );
}

export async function fuzzRawHttp(t: FuzzTarget, cases: number): Promise<void> {
  await check(
    fc.asyncProperty(
      fc.array(rawCase(t, t.gw.port), { minLength: BATCH, maxLength: BATCH }),
      async (batch) => {
        const problems = (await Promise.all(batch.map((c) => checkRaw(t, c)))).filter(Boolean);
        if (problems.length) throw new Error(problems.join('\n'));
      },
    ),
    cases,
  );
}

export async function fuzzJsonRpc(t: FuzzTarget, cases: number): Promise<void> {
  const url = `${t.gw.url}/mcp`;
  await check(
    fc.asyncProperty(fc.array(jsonRpcCase(t), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const problems: string[] = [];
      await Promise.all(
        batch.map(async (c) => {
          const res = await fetch(url, { method: 'POST', headers: c.headers, body: c.body });
          const text = await res.text();
          tally(res.status);
          const what = `body ${c.body.slice(0, 300)} headers ${JSON.stringify(c.headers).slice(0, 300)}`;
          if (res.status === 500) problems.push(`500 for ${what}: ${text.slice(0, 200)}`);
          const problem = jsonRpcProblem(res.headers.get('content-type') ?? '', text);
          if (problem) problems.push(`${problem} for ${what}`);
          if (/\n\s+at |\.ts:\d+:\d+/.test(text)) problems.push(`stack trace for ${what}`);
          const leaked = leakedNames(t, c.body + JSON.stringify(c.headers), text);
          if (leaked.length)
            problems.push(`denied names ${JSON.stringify(leaked)} in ${text.slice(0, 300)} for ${what}`);
        }),
      );
      if (problems.length) throw new Error(problems.join('\n'));
    }),
    cases,
  );
}

/** Resident set size after a full garbage collection (exposes `gc` once if the runner did not). */
export async function settledRss(): Promise<number> {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().rss;
}

/** Heap in use after forced collections (what a leak grows; RSS also holds freed-but-kept pages). */
export async function settledHeap(): Promise<number> {
  await settledRss();
  return process.memoryUsage().heapUsed;
}

/** Collects unhandled rejections and uncaught exceptions while a suite runs. */
export function watchProcessFailures(): { readonly failures: unknown[]; stop(): void } {
  const failures: unknown[] = [];
  const onRejection = (e: unknown) => failures.push(e);
  const onException = (e: unknown) => failures.push(e);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    failures,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
