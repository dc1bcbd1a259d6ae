/**
 * infidelity and sensitivityMax against Captum 0.8.0 (test/fixtures/explain/metrics.json): the
 * infidelity cases with the 20 stored perturbations and the stored attributions, the
 * fixed-noise max-sensitivity cases (x + 0.02·u with stored unit noise; deterministic), and the
 * random max-sensitivity cases (Captum's uniform default perturbation; statistical).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  deepLift, featureAblation, guidedBackprop, infidelity, inputXGradient, saliency, sensitivityMax, type AttributionMethod,
  type ExplanationFunction, type ExplanationSpec, type TargetOptions,
} from '../../src/explain/index.js';
import type { ModelLike } from '../../src/core/model.js';
import { seededRng } from '../../src/core/rng.js';
import { describeBackends } from '../helpers/backends.js';
import { explainModel, flat, referenceCase, referenceInputs, referenceTargets } from './fixtures.js';
import {
  attributionCaseKey, captumScores, cnnFunction, hasPlainExplanation, metricCases, plainExplanation, storedInfidelityPerturbation, storedSensitivityPerturbation, type MetricCase,
} from './metricsHelpers.js';

/** Worst `|a − e| − (atol + rtol·|e|)` over the examples, with the offending row. */
function worstExcess(actual: ArrayLike<number>, expected: readonly number[], atol: number, rtol: number): { row: number; excess: number; a: number; e: number; relative: number } {
  let worst = { row: -1, excess: -Infinity, a: 0, e: 0, relative: 0 };
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const excess = Number.isNaN(a) ? Infinity : Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worst.excess) worst = { row: i, excess, a, e, relative: Math.abs(a - e) / Math.max(Math.abs(e), 1e-12) };
  }
  return worst;
}

function expectClose(label: string, actual: ArrayLike<number>, expected: readonly number[], atol: number, rtol: number): void {
  expect(actual.length).toBe(expected.length);
  const w = worstExcess(actual, expected, atol, rtol);
  if (process.env.RTF_REPORT !== undefined) {
    let worstAbs = 0;
    for (let i = 0; i < expected.length; i++) worstAbs = Math.max(worstAbs, Math.abs((actual[i] as number) - (expected[i] as number)));
    console.info(`${label}: worst |diff| ${worstAbs.toExponential(2)}, worst relative ${w.relative.toExponential(2)} (row ${w.row})`);
  }
  expect(w.excess, `${label}: row ${w.row}: got ${w.a}, Captum ${w.e}`).toBeLessThanOrEqual(0);
}

const infidelityCases = metricCases().filter(([, c]) => c.metric === 'infidelity');
const fixedNoiseCases = metricCases().filter(([k, c]) => c.metric === 'sensitivity_max' && c.deterministic && k.includes('fixed_noise'));
const randomCases = metricCases().filter(([, c]) => c.metric === 'sensitivity_max' && !c.deterministic);

/** The plain explanation of a case with its model (build inside a test: it needs a backend). */
function explanationFor(c: MetricCase): { explain: ExplanationFunction; dispose: () => void } {
  const scores = captumScores(c.model);
  return { explain: plainExplanation(c.explanation, scores.forward, c.model, referenceTargets(c.model, 'pred')), dispose: scores.dispose };
}

describeBackends('infidelity matches Captum', () => {
  for (const [key, c] of infidelityCases) {
    it(key, async () => {
      const model = explainModel(c.model);
      const x = referenceInputs(c.model);
      const attr = tf.tensor(flat(referenceCase(c.model, attributionCaseKey(c.model, c.explanation)).attr), x.shape);
      const settings = c.settings as { n_perturb_samples: number; normalize: boolean };
      const scores = await infidelity(model, x, attr, {
        target: referenceTargets(c.model, 'pred'),
        perturbation: storedInfidelityPerturbation(c.model),
        samples: settings.n_perturb_samples,
        normalize: settings.normalize,
      });
      expect(scores.shape).toEqual([50]);
      // Squared output differences: float32 round-off of the outputs (logits up to ~50 on the CNN)
      // enters twice; the stored f32/f64 gap is up to 6e-6 absolute.
      expectClose(key, await scores.data(), c.value_f32!, 2e-5, 1e-4);
      tf.dispose([x, attr, scores]);
      model.dispose();
    });
  }
});

describeBackends('sensitivityMax with the stored unit noise matches Captum', () => {
  for (const [key, c] of fixedNoiseCases) {
    if (!hasPlainExplanation(c.explanation, c.model)) continue;
    it(key, async () => {
      const explanation = explanationFor(c);
      const x = referenceInputs(c.model);
      const settings = c.settings as { n_perturb_samples: number; perturb_radius: number };
      const scores = await sensitivityMax(explanation.explain, x, {
        perturbation: storedSensitivityPerturbation(c.model),
        perturbationRadius: settings.perturb_radius,
        samples: settings.n_perturb_samples,
      });
      expect(scores.shape).toEqual([50]);
      // A ratio of norms of gradient differences: relative round-off of the gradients (1e-6) over a
      // difference that is a few percent of the gradient.
      expectClose(key, await scores.data(), c.value_f32!, 1e-6, 2e-4);
      tf.dispose([x, scores]);
      explanation.dispose();
    });
  }
});

describeBackends('sensitivityMax with random uniform noise matches Captum in distribution', () => {
  for (const [key, c] of randomCases) {
    it(key, async () => {
      // The plain tf.grad explanation where there is one, else the library's method.
      const explanation = hasPlainExplanation(c.explanation, c.model) ? explanationFor(c) : (({ spec, dispose }) => ({ explain: spec, dispose }))(librarySpec(c));
      const x = referenceInputs(c.model);
      const settings = c.settings as { n_perturb_samples: number; perturb_radius: number };
      const seeds = 8;
      const runs: Float32Array[] = [];
      for (let s = 0; s < seeds; s++) {
        const scores = await sensitivityMax(explanation.explain, x, {
          perturbationRadius: settings.perturb_radius, samples: settings.n_perturb_samples, rng: seededRng(`sens-${key}-${s}`),
        });
        runs.push((await scores.data()) as Float32Array);
        scores.dispose();
      }
      const theirs = c.mean_over_seeds!;
      const theirSd = c.sd_over_seeds!;
      const nTheirs = c.values_per_seed!.length;
      let sumDiff = 0;
      let sumVar = 0;
      let worstZ = 0;
      for (let i = 0; i < theirs.length; i++) {
        const ours = runs.map((r) => r[i] as number);
        const mean = ours.reduce((a, b) => a + b, 0) / seeds;
        const sd = Math.sqrt(ours.reduce((a, b) => a + (b - mean) ** 2, 0) / (seeds - 1));
        // Per example: the two means differ by less than 5 standard errors (each side's sd, the
        // larger of the two used for both: Captum's sd comes from only 5 seeds), plus round-off.
        const s = Math.max(sd, theirSd[i] as number);
        const se = Math.sqrt((s * s) / seeds + (s * s) / nTheirs);
        expect(Math.abs(mean - (theirs[i] as number)), `${key} row ${i}: ours ${mean} ± ${sd}, Captum ${theirs[i]} ± ${theirSd[i]}`)
          .toBeLessThanOrEqual(5 * se + 1e-6 + 2e-4 * Math.abs(theirs[i] as number));
        worstZ = Math.max(worstZ, Math.abs(mean - (theirs[i] as number)) / (se + 1e-12));
        sumDiff += mean - (theirs[i] as number);
        sumVar += se * se;
      }
      if (process.env.RTF_REPORT !== undefined) console.info(`${key}: worst z ${worstZ.toFixed(2)}, summed z ${(sumDiff / Math.sqrt(sumVar)).toFixed(2)}`);
      // Over the 50 examples: the average difference is within 4 standard errors of 0.
      expect(Math.abs(sumDiff), `${key}: summed difference ${sumDiff}`).toBeLessThanOrEqual(4 * Math.sqrt(sumVar) + 50 * 1e-6);
      x.dispose();
      explanation.dispose();
    });
  }
});

describeBackends('sensitivityMax batching', () => {
  it('gives the same scores with the copies split over passes (internalBatchSize) as in one pass', async () => {
    const c = fixedNoiseCases.find(([k]) => k.startsWith('cnn/') && k.endsWith('input_x_gradient'))![1];
    const explanation = explanationFor(c);
    const x = referenceInputs('cnn');
    const options = { perturbation: storedSensitivityPerturbation('cnn'), samples: 10 };
    const one = await sensitivityMax(explanation.explain, x, options);
    const split = await sensitivityMax(explanation.explain, x, { ...options, internalBatchSize: 150 });
    expectClose('split', await split.data(), Array.from(await one.data()), 1e-7, 1e-5);
    expectClose('reference', await split.data(), c.value_f32!, 1e-6, 2e-4);
    tf.dispose([x, one, split]);
    explanation.dispose();
  });
});

/**
 * The library's method behind a case's explanation, as a `{ method, model, options }` spec (the
 * target is left to its default, 'predicted', which the spec resolves on the unperturbed inputs:
 * Captum's target = pred). Saliency and input × gradient on the CNN run on its plain-function form,
 * whose input gradient needs no filter gradient (wasm lacks it); DeepLift and guided backprop need
 * the LayersModel.
 */
function librarySpec(c: MetricCase): { spec: ExplanationSpec<TargetOptions>; dispose: () => void } {
  const methods: Record<string, [AttributionMethod<never>, Record<string, unknown>]> = {
    saliency_abs_false: [saliency as AttributionMethod<never>, { abs: false }],
    input_x_gradient: [inputXGradient as AttributionMethod<never>, {}],
    deeplift: [deepLift as AttributionMethod<never>, {}],
    guided_backprop: [guidedBackprop as AttributionMethod<never>, {}],
    feature_ablation: [featureAblation as AttributionMethod<never>, {}],
  };
  const [method, options] = methods[c.explanation]!;
  const plainCnn = c.model === 'cnn' && (c.explanation === 'saliency_abs_false' || c.explanation === 'input_x_gradient');
  const cnn = plainCnn ? cnnFunction() : undefined;
  const layers = plainCnn ? undefined : explainModel(c.model);
  const model: ModelLike = cnn?.forward ?? layers!;
  return {
    spec: { method: method as AttributionMethod<TargetOptions>, model, options },
    dispose: () => (cnn !== undefined ? cnn.dispose() : layers!.dispose()),
  };
}

describeBackends('sensitivityMax of the library\'s methods (a method spec) matches Captum with the stored unit noise', () => {
  for (const [key, c] of fixedNoiseCases) {
    it(key, async () => {
      const { spec, dispose } = librarySpec(c);
      const x = referenceInputs(c.model);
      const settings = c.settings as { n_perturb_samples: number; perturb_radius: number };
      const scores = await sensitivityMax(spec, x, {
        perturbation: storedSensitivityPerturbation(c.model),
        perturbationRadius: settings.perturb_radius,
        samples: settings.n_perturb_samples,
      });
      expectClose(`${key} (library)`, await scores.data(), c.value_f32!, 1e-6, 2e-4);
      tf.dispose([x, scores]);
      dispose();
    });
  }
});
