#!/usr/bin/env node
// npm run example -- <name> [args]: runs examples/<name>/main.ts with tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const [name, ...rest] = process.argv.slice(2);
const dir = new URL('../examples/', import.meta.url);
const names = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/main.ts`, dir)))
  .map((d) => d.name);
if (!name || !names.includes(name)) {
  console.error(`usage: npm run example -- <name> [--backend cpu|wasm]\nexamples: ${names.join(', ')}`);
  process.exit(name ? 1 : 0);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(`${name}/main.ts`, dir).pathname, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
