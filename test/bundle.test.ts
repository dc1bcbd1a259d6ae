/**
 * Tree-shaking and domain isolation: bundling one subpath with esbuild (tfjs external, as a
 * user's bundler would treat the peers) must pull in no source file of another domain.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// objectives builds on the other domains (its private step, attacks and fairness terms), so it is
// not in this list.
const DOMAINS = ['privacy', 'robustness', 'fairness', 'compression', 'explain', 'audit', 'sustainability'] as const;

async function inputsOf(contents: string, platform: 'neutral' | 'browser' = 'neutral'): Promise<{ inputs: string[]; bytes: number; externals: string[] }> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    treeShaking: true,
    metafile: true,
    minify: true,
    platform,
    mainFields: ['module', 'main'],
    external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'],
    logLevel: 'silent',
  });
  // Only modules that contribute bytes to the output count: a parsed-then-shaken module does not.
  const output = Object.values(result.metafile.outputs)[0]!;
  const inputs = Object.entries(output.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
  const externals = output.imports.filter((i) => i.external).map((i) => i.path);
  return { inputs, bytes: result.outputFiles[0]!.contents.length, externals };
}

describe('subpath imports', () => {
  for (const domain of DOMAINS) {
    it(`responsible-tfjs/${domain} pulls in no other domain`, async () => {
      const { inputs } = await inputsOf(`export * from './src/${domain}/index.ts';`);
      const foreign = inputs.filter((f) => /^src\//.test(f) && !f.startsWith(`src/${domain}/`) && !f.startsWith('src/core/'));
      expect(foreign).toEqual([]);
    }, 60_000);
  }

  it('the privacy accountants import no tensor code', async () => {
    const { inputs, externals } = await inputsOf(
      `export { RdpAccountant, PldAccountant, getNoiseMultiplier, computeRdp, rdpToEpsilon } from './src/privacy/index.ts';`,
    );
    expect(externals).toEqual([]);
    expect(inputs.filter((f) => f.includes('tfjs'))).toEqual([]);
  }, 60_000);

  it('responsible-tfjs/federated builds on privacy and compression only, and bundles for the browser', async () => {
    // As a browser bundler builds it: seedrandom's guarded require('crypto') maps to nothing there.
    const { inputs, externals } = await inputsOf(`export * from './src/federated/index.ts';`, 'browser');
    const foreign = inputs.filter((f) => /^src\//.test(f) && !/^src\/(federated|privacy|compression|core)\//.test(f));
    expect(foreign).toEqual([]);
    // No transport package and no Node built-in: the coordinator and client take a WebSocket server
    // or constructor from the caller.
    expect(externals.filter((e) => !e.startsWith('@tensorflow/'))).toEqual([]);
  }, 60_000);

  it('the secure aggregation and DP pieces of federated import no tensor code', async () => {
    const { inputs, externals } = await inputsOf(
      `export { runSecAggInProcess, clipUpdate, userLevelPrivacy, updateQuantileClip, compressUpdate } from './src/federated/index.ts';`,
      'browser',
    );
    expect(externals).toEqual([]);
    expect(inputs.filter((f) => /^src\/(robustness|fairness|explain|audit|sustainability|objectives)\//.test(f))).toEqual([]);
  }, 60_000);

  it('importing one core function tree-shakes the rest', async () => {
    const one = await inputsOf(`export { seededRng } from './src/index.ts';`);
    const all = await inputsOf(`export * from './src/index.ts';`);
    for (const file of ['src/core/svg.ts', 'src/core/labels.ts']) {
      expect(all.inputs).toContain(file);
      expect(one.inputs).not.toContain(file);
    }
    expect(one.bytes).toBeLessThan(all.bytes);
  }, 60_000);
});
