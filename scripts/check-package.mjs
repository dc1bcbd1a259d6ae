#!/usr/bin/env node
// The package as users install it: pack the built package (what `npm publish` would ship), check its
// types resolve under every TypeScript resolution mode (attw: node10, node16 CJS/ESM, bundler), then
// install the tarball's files into a scratch folder and use them from ESM and CommonJS: an error's
// function name must survive bundling and minification of class names.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.ci-out', 'pack');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });

// `npm pack` runs `prepack` (the build) unless scripts are skipped; CI has just built.
const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out]));
const tarball = join(out, packed[0].filename);
const files = packed[0].files.map((f) => f.path);
for (const required of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/privacy/index.d.ts', 'dist/privacy/index.d.cts', 'README.md']) {
  if (!files.includes(required)) throw new Error(`the packed package lacks ${required}`);
}
console.log(`packed ${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(0)} KiB`);

run('npx', ['attw', tarball, '--profile', 'strict', '--format', 'table-flipped'], { stdio: 'inherit' });

// Install the tarball's contents; dependencies resolve from the repository's node_modules above.
const installed = join(out, 'node_modules', 'responsible-tfjs');
mkdirSync(installed, { recursive: true });
run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
if (!readdirSync(installed).includes('dist')) throw new Error('the tarball has no dist/');

const check = `
  const expectError = (f, fnName, argument) => {
    try { f(); } catch (e) {
      if (e.fn !== fnName) throw new Error('error fn is ' + JSON.stringify(e.fn) + ', expected ' + JSON.stringify(fnName));
      if (!e.message.startsWith(fnName + ': ')) throw new Error('message does not start with the function name: ' + e.message);
      if (argument !== undefined && e.argument !== argument) throw new Error('argument ' + e.argument);
      if (e.code !== 'INVALID_ARGUMENT') throw new Error('code ' + e.code);
      if (e.name !== 'InvalidArgumentError') throw new Error('error name ' + e.name);
      return e.name;
    }
    throw new Error(fnName + ' did not throw');
  };
  expectError(() => new privacy.RdpAccountant().getEpsilon(2), 'RdpAccountant.getEpsilon', 'delta');
  expectError(() => new privacy.PldAccountant().step({ noiseMultiplier: -1, sampleRate: 0.1 }), 'PldAccountant.step', 'params.noiseMultiplier');
  expectError(() => new privacy.PrivacyBudget({ epsilon: -1, delta: 1e-5 }), 'PrivacyBudget', 'options.epsilon');
  if (!(new privacy.RdpAccountant().step({ noiseMultiplier: 1.5, sampleRate: 0.04 }, 2250).getEpsilon(1e-5) > 7.3)) throw new Error('epsilon');
`;
writeFileSync(join(out, 'check.mjs'), `import * as privacy from 'responsible-tfjs/privacy';\n${check}\nconsole.log('ESM: error names survive bundling');\n`);
writeFileSync(join(out, 'check.cjs'), `const privacy = require('responsible-tfjs/privacy');\n${check}\nconsole.log('CommonJS: error names survive bundling');\n`);
run('node', [join(out, 'check.mjs')], { cwd: out, stdio: 'inherit' });
run('node', [join(out, 'check.cjs')], { cwd: out, stdio: 'inherit' });
console.log('package check passed');
