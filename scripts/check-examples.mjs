#!/usr/bin/env node
// Every public function and class (of every package entry point) must carry a TSDoc comment with
// an @example that teaches its use. Plain option, result and union types need a documented
// comment (typedoc's notDocumented validation checks that) but no @example: a literal of an
// options type teaches nothing that the function's example does not.
import ts from 'typescript';

const entries = ['index', 'privacy/index', 'robustness/index', 'fairness/index', 'compression/index', 'objectives/index', 'explain/index', 'audit/index', 'sustainability/index', 'federated/index'].map(
  (e) => `src/${e}.ts`,
);
const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const program = ts.createProgram(entries, config.options);
const checker = program.getTypeChecker();
const missing = new Map();

for (const entry of entries) {
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) continue;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) continue;
    const decls = symbol.getDeclarations() ?? [];
    const hasExample = decls.some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'example'));
    if (!hasExample && decls.length > 0) {
      const d = decls[0];
      const where = `${d.getSourceFile().fileName.replace(process.cwd() + '/', '')}:${d.getSourceFile().getLineAndCharacterOfPosition(d.getStart()).line + 1}`;
      missing.set(`${exported.getName()}`, where);
    }
  }
}
if (missing.size > 0) {
  console.error(`${missing.size} public function(s) or class(es) without an @example:`);
  for (const [name, where] of [...missing].sort((a, b) => a[1].localeCompare(b[1]))) console.error(`  ${name}  (${where})`);
  process.exit(1);
}
console.log('every public function and class has an @example');
