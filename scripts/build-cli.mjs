// Builds the `portcullis` command: src/cli/main.ts and every dependency it imports, bundled by esbuild
// into dist/cli/main.js (run by bin/portcullis.js). One file instead of ~600 modules roughly halves
// start-up, which is mostly module loading (docs/performance.md, "Start-up"). Type checking is tsc's
// job (`npm run build` runs `tsc -p tsconfig.build.json` first; it emits nothing).
//
// - ESM with code splitting: the OpenTelemetry SDK, imported dynamically by src/telemetry/tracing.ts,
//   stays in its own chunk and is loaded only when tracing is configured.
// - Chunks are written next to the entry, in dist/cli/: src/app/version.ts, src/mcp/version.ts,
//   src/cli/quickstart.ts and src/admin/static.ts find package.json, examples/, manifests/ and ui/dist
//   with `new URL('../../…', import.meta.url)`, so whichever file their code lands in must sit two
//   folders below the package root, as src/<folder>/<file>.ts does.
// - CommonJS dependencies (pino, undici, prom-client, …) call require() and read __dirname; an ESM
//   file has neither, so every output file starts with a banner that defines them.
// - Source maps are written next to each file (linked, without the sources' text). Node does not read
//   them unless asked (`NODE_OPTIONS=--enable-source-maps`): reading them at every start measured
//   +55 ms (~12 %) on --validate-only, so bin/ does not turn them on.
// - After the build, `bin/portcullis.js -V` must print the package version: a bundle that
//   cannot even load (say, a dependency declaring its own top-level `require`) fails the build here.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'cli');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** `>=20.19` → `node20.19`: the oldest node the package supports. */
const target = `node${String(pkg.engines.node).replace(/^>=\s*/, '')}`;

const BANNER = [
  "import { createRequire as __portcullisCreateRequire } from 'node:module';",
  "import { dirname as __portcullisDirname } from 'node:path';",
  "import { fileURLToPath as __portcullisFileURLToPath } from 'node:url';",
  'const require = __portcullisCreateRequire(import.meta.url);',
  'const __filename = __portcullisFileURLToPath(import.meta.url);',
  'const __dirname = __portcullisDirname(__filename);',
].join(' ');

// Old output goes first: stale chunks (hashed names) and the per-module files tsc used to emit.
rmSync(DIST, { recursive: true, force: true });

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target,
  banner: { js: BANNER },
  // Class and function names as written (error names in logs, `constructor.name` checks in dependencies);
  // measured: no start-up cost above noise.
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
const size = (f) => `${(statSync(join(ROOT, f)).size / 1024).toFixed(0)} KB`;
const entry = outputs.find((f) => f.endsWith('/main.js'));
const big = outputs.filter((f) => f !== entry && statSync(join(ROOT, f)).size > 64 * 1024);
// Output paths in the metafile are relative to absWorkingDir (the package root).
console.log(
  `build-cli: ${entry} ${size(entry)}` +
    big.map((f) => `, ${f} ${size(f)} (loaded on demand)`).join('') +
    `, ${outputs.length} files in all (target ${target})`,
);

const smoke = spawnSync(process.execPath, [join(ROOT, 'bin', 'portcullis.js'), '-V'], {
  encoding: 'utf8',
  timeout: 30_000,
});
if (smoke.status !== 0 || smoke.stdout.trim() !== pkg.version) {
  console.error(
    `build-cli: the built CLI does not run: \`portcullis -V\` exited ${smoke.status}\n` +
      `${smoke.stdout}${smoke.stderr}`,
  );
  process.exit(1);
}
