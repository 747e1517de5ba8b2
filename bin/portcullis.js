#!/usr/bin/env node
// The `portcullis` command. Runs dist/cli/main.js: the CLI and its dependencies bundled into one file by
// scripts/build-cli.mjs (`npm run build`, run by `npm install` via `prepare`). For stack traces that name
// src/ files, run with NODE_OPTIONS=--enable-source-maps (off by default: it slows start-up).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('portcullis: dist/ is missing — run `npm install` (or `npm run build`) first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
