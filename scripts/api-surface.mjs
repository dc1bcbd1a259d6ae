#!/usr/bin/env node
// The public API surface of each subpath, as the built package exposes it: functions, classes and
// constants by name (types are counted). `--write` refreshes the list in docs/conventions.md;
// without it the script fails when the list there is out of date (run by `npm run docs`).
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

const subpaths = [['responsible-tfjs/privacy', 'privacy'], ['responsible-tfjs/robustness', 'robustness'], ['responsible-tfjs/fairness', 'fairness'],
  ['responsible-tfjs/compression', 'compression'], ['responsible-tfjs/objectives', 'objectives'], ['responsible-tfjs/explain', 'explain'], ['responsible-tfjs/audit', 'audit'], ['responsible-tfjs/sustainability', 'sustainability'], ['responsible-tfjs/federated', 'federated'], ['responsible-tfjs (root: re-exports every subpath, plus)', 'core']];
const files = subpaths.map(([, dir]) => `src/${dir}/index.ts`);
const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const program = ts.createProgram(files, config.options);
const checker = program.getTypeChecker();
const lines = [];
subpaths.forEach(([name], i) => {
  const module = checker.getSymbolAtLocation(program.getSourceFile(files[i]));
  const groups = { functions: [], classes: [], constants: [], types: [] };
  for (const e of checker.getExportsOfModule(module)) {
    const s = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    const group = s.flags & ts.SymbolFlags.Function ? 'functions' : s.flags & ts.SymbolFlags.Class ? 'classes' : s.flags & ts.SymbolFlags.Variable ? 'constants' : 'types';
    groups[group].push(e.name);
  }
  lines.push(`**\`${name}\`**`, '');
  for (const g of ['functions', 'classes', 'constants']) {
    if (groups[g].length > 0) lines.push(`- ${g} (${groups[g].length}): ${groups[g].sort().map((n) => `\`${n}\``).join(', ')}`);
  }
  lines.push(`- types: ${groups.types.length} option, result and value types (see the API reference)`, '');
});
const begin = '<!-- api-surface:begin -->';
const end = '<!-- api-surface:end -->';
const path = 'docs/conventions.md';
const doc = readFileSync(path, 'utf8');
const a = doc.indexOf(begin);
const b = doc.indexOf(end);
if (a < 0 || b < 0) throw new Error(`${path} lacks the ${begin} / ${end} markers`);
const next = `${doc.slice(0, a + begin.length)}\n${lines.join('\n')}\n${doc.slice(b)}`;
if (process.argv.includes('--write')) {
  writeFileSync(path, next);
  console.log(`wrote the API surface into ${path}`);
} else if (next !== doc) {
  console.error(`${path}: the API surface list is out of date; run node scripts/api-surface.mjs --write`);
  process.exit(1);
} else console.log(`${path}: the API surface list matches the exports`);
