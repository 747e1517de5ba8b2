#!/usr/bin/env node
// The `portcullis` command. Runs the compiled JavaScript in dist/ (built by `npm install` via `prepare`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('portcullis: dist/ is missing — run `npm install` (or `npm run build`) first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
