// Regenerates schema/config.schema.json from the zod config schema: `npx tsx scripts/gen-schema.ts`.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configJsonSchemaText, JSON_SCHEMA_PATH } from '../src/config/json-schema.js';

const out = resolve(import.meta.dirname, '..', JSON_SCHEMA_PATH);
writeFileSync(out, configJsonSchemaText());
console.log(`wrote ${out}`);
