#!/usr/bin/env node
// npm run bench -- <suite> [--backend cpu,wasm]: runs bench/<suite>.bench.ts with tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const [suite, ...rest] = process.argv.slice(2);
const suites = readdirSync(new URL('../bench/', import.meta.url)).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
const browserSuites = readdirSync(new URL('../bench/browser/', import.meta.url)).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
suites.push(...browserSuites.filter((s) => !suites.includes(s)));
if (!suite || !suites.includes(suite)) {
  console.error(`usage: npm run bench -- <suite> [--backend cpu,wasm]\nsuites: ${suites.join(', ')}`);
  process.exit(suite ? 1 : 0);
}
const file = new URL(`../bench/${browserSuites.includes(suite) && !existsSync(new URL(`../bench/${suite}.bench.ts`, import.meta.url)) ? 'browser/' : ''}${suite}.bench.ts`, import.meta.url).pathname;
if (!existsSync(file)) process.exit(1);
const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
