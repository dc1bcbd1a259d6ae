/**
 * NoiseTunnel (smoothgrad, smoothgrad_sq, vargrad over saliency and integrated gradients) and
 * GradientSHAP against Captum's large-sample statistics in stochastic_{mlp,cnn,adult}.json: the
 * mean of 5 Captum runs (`mean_over_seeds`) and the spread of one run (`sd_over_seeds`, 5 runs,
 * ddof = 1).
 *
 * One seeded run here differs from that mean by about `sd·√(1 + 1/5)` per element; `sd` itself
 * comes from only 5 runs (4 degrees of freedom), so the standardised difference
 * `z = (ours - mean) / (sd·√1.2)` follows Student's t with 4 degrees of freedom when the
 * implementation is right: P(|t₄| ≤ 3) = 0.960, P(|t₄| ≤ 5) = 0.9925, median |t₄| = 0.741 (the
 * notes' k = 3 fraction test, and k = 5). The thresholds below leave room for the correlation
 * between elements of a row (the 10 Adult saliency values of a row move together) and for the
 * skewed vargrad distribution: at least 85% within k = 3, 95% within k = 5, and a median |z|
 * below 1.1 (a wrong noise scale, a missing abs: false or a wrong smoothing would put the median
 * far above it: on the n = 1000 cases sd is about 1% of the values). An absolute floor
 * `1e-5 + 1e-4·|mean|` covers elements whose sd is round-off.
 *
 * Runtime: each case runs on at most `budget` gradient rows (rows × samples × IG steps): the
 * CNN's n = 1000 cases use their first rows only (cpu: 10 rows for saliency and GradientSHAP, 1
 * row for NoiseTunnel(IG); wasm: 50 and 2), the others run whole.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import mlpCases from '../fixtures/explain/stochastic_mlp.json';
import cnnCases from '../fixtures/explain/stochastic_cnn.json';
import adultCases from '../fixtures/explain/stochastic_adult.json';
import { seededRng } from '../../src/core/index.js';
import { gradientShap, integratedGradients, noiseTunnel, saliency, type NoiseTunnelType } from '../../src/explain/index.js';
import { describeBackends, type BackendName } from '../helpers/backends.js';
import { exampleShape, explainModel, flat, referenceInputs, referenceTargets, shapBaselines, type ExplainModelName } from './fixtures.js';

interface StochasticCase {
  readonly settings: {
    readonly method: string;
    readonly nt_type?: string;
    readonly nt_samples?: number;
    readonly n_samples?: number;
    readonly stdevs: number;
    readonly nt_samples_batch_size?: number | null;
    readonly rows?: string;
  };
  readonly shape: number[];
  readonly mean_over_seeds: unknown;
  readonly sd_over_seeds: unknown;
}

const FILES: Record<ExplainModelName, Record<string, StochasticCase>> = {
  mlp: mlpCases.cases as unknown as Record<string, StochasticCase>,
  cnn: cnnCases.cases as unknown as Record<string, StochasticCase>,
  adult: adultCases.cases as unknown as Record<string, StochasticCase>,
};

const TYPES: Record<string, NoiseTunnelType> = { smoothgrad: 'smoothgrad', smoothgrad_sq: 'smoothgradSq', vargrad: 'vargrad' };

/** Most gradient rows per case (see the header). */
function budget(name: ExplainModelName, backend: BackendName): number {
  if (name !== 'cnn') return Infinity;
  return backend === 'cpu' ? 10_000 : 50_000;
}

/** Gradient rows of one example in a case. */
function rowsPerExample(c: StochasticCase): number {
  const s = c.settings;
  if (s.method === 'GradientShap') return s.n_samples!;
  return s.nt_samples! * (s.method === 'NoiseTunnel(IntegratedGradients)' ? 20 : 1);
}

/** Runs the case's method with Captum's settings on the first `rows` reference rows. */
async function runCase(name: ExplainModelName, model: ReturnType<typeof explainModel>, key: string, c: StochasticCase, rows: number): Promise<tf.Tensor> {
  const x = tf.slice(referenceInputs(name), 0, rows);
  const target = referenceTargets(name, 'pred').slice(0, rows);
  const rng = seededRng(key);
  const s = c.settings;
  try {
    if (s.method === 'GradientShap') {
      const baselines = shapBaselines(name);
      try {
        return (await gradientShap(model, x, { baselines, samples: s.n_samples!, stdevs: s.stdevs, target, rng, internalBatchSize: 10_000 })).attributions;
      } finally {
        baselines.dispose();
      }
    }
    const tunnel = {
      type: TYPES[s.nt_type!]!, samples: s.nt_samples!, stdevs: s.stdevs, samplesBatchSize: s.nt_samples_batch_size ?? undefined, rng, target,
    };
    if (s.method === 'NoiseTunnel(Saliency)') return (await noiseTunnel(saliency, model, x, { ...tunnel, abs: false })).attributions;
    expect(s.method).toBe('NoiseTunnel(IntegratedGradients)');
    // The notes' inner IG: zero baselines, 20 steps, gausslegendre.
    return (await noiseTunnel(integratedGradients, model, x, { ...tunnel, steps: 20, method: 'gaussLegendre' })).attributions;
  } finally {
    x.dispose();
  }
}

describeBackends('stochastic gradient methods against Captum\'s large-sample means', (backend) => {
  for (const name of ['mlp', 'cnn', 'adult'] as const) {
    for (const [key, c] of Object.entries(FILES[name])) {
      it(key, async () => {
        const caseRows = c.shape[0]!;
        const rows = Math.max(1, Math.min(caseRows, Math.floor(budget(name, backend) / rowsPerExample(c))));
        const model = explainModel(name);
        const attributions = await runCase(name, model, key, c, rows);
        model.dispose();
        expect(attributions.shape).toEqual([rows, ...exampleShape(name)]);
        const ours = await attributions.data();
        attributions.dispose();
        const perRow = ours.length / rows;
        const mean = flat(c.mean_over_seeds).slice(0, ours.length);
        const sd = flat(c.sd_over_seeds).slice(0, ours.length);
        expect(mean.length).toBe(rows * perRow);
        let within3 = 0;
        let within5 = 0;
        const z: number[] = [];
        for (let i = 0; i < ours.length; i++) {
          const difference = Math.abs(ours[i]! - mean[i]!);
          const scale = sd[i]! * Math.sqrt(1 + 1 / 5);
          const floor = 1e-5 + 1e-4 * Math.abs(mean[i]!);
          if (difference <= 3 * scale + floor) within3++;
          if (difference <= 5 * scale + floor) within5++;
          if (scale > 1e-6) z.push(difference / scale);
        }
        z.sort((a, b) => a - b);
        const medianZ = z[z.length >> 1]!;
        const summary = `${key} on rows 0..${rows - 1}: ${(within3 / ours.length).toFixed(3)} within 3 sd, ${(within5 / ours.length).toFixed(3)} within 5 sd, median |z| ${medianZ.toFixed(3)}`;
        expect(within3 / ours.length, summary).toBeGreaterThanOrEqual(0.85);
        expect(within5 / ours.length, summary).toBeGreaterThanOrEqual(0.95);
        expect(medianZ, summary).toBeLessThan(1.1);
      });
    }
  }
});
