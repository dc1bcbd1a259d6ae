#!/usr/bin/env node
// Imports every subpath of the built package by name, as ESM and as CommonJS, and checks each
// exposes at least one export and the root re-exports every subpath's names.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const subpaths = ['', '/privacy', '/robustness', '/fairness', '/compression', '/objectives', '/explain', '/audit', '/sustainability', '/federated'];
const root = await import('responsible-tfjs');
let failures = 0;
for (const sub of subpaths) {
  const name = `responsible-tfjs${sub}`;
  const esm = await import(name);
  const cjs = require(name);
  const keys = Object.keys(esm).filter((k) => k !== 'default');
  const missingInCjs = keys.filter((k) => !(k in cjs));
  const missingInRoot = keys.filter((k) => !(k in root));
  console.log(`${name}: ${keys.length} exports (esm), ${Object.keys(cjs).length} (cjs)`);
  if (keys.length === 0 || missingInCjs.length > 0 || missingInRoot.length > 0) {
    failures++;
    console.error(`  problem: empty=${keys.length === 0} missing in cjs=[${missingInCjs}] missing in root=[${missingInRoot}]`);
  }
}
process.exit(failures === 0 ? 0 : 1);
