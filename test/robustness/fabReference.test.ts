/**
 * Agreement of FAB and FAB-T with torchattacks 3.5.1 (reference/robustness2/fab.json): L-inf at
 * eps 0.05 and 0.1 on the two digits models, the 100 test rows as one batch, steps 10, one restart
 * (deterministic: no random start).
 *
 * - Success per row must agree, except on rows whose stored image sits on the decision boundary
 *   (|float64 margin| < 1e-3, where rounding decides the flag): those must be on the boundary here
 *   too (|our float32 margin| < 1e-3) or agree.
 * - Adversarial images must agree element-wise within 1e-5 on every row whose success agrees. The
 *   fixture rounds to 7 significant digits (<= 5e-8 on [0, 1]); the rest is float32 rounding of
 *   the input gradients (tfjs and torch sum in different orders), which each projection step
 *   rescales by about |df| / ||dg||: the largest difference measured is 1.1e-6 (cpu and wasm), and
 *   a wrong nearest class, sort order or acceptance would move pixels by 1e-2 or more.
 * - Every row satisfies the constraints (L-inf <= eps, values in [0, 1]).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness2/fab.json';
import digits from '../fixtures/robustness/digits_test.json';
import { fab, fabTargeted } from '../../src/robustness/fab/index.js';
import { describeBackends } from '../helpers/backends.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from './referenceModels.js';

const N = 100;
const D = 64;
const TOLERANCE = 1e-5;
const NEAR_BOUNDARY = 1e-3;

interface FabCase {
  readonly model: string;
  readonly attack: string;
  readonly eps: number;
  readonly settings: { steps: number; alpha_max: number; eta: number; beta: number; n_restarts: number };
  readonly success: number[];
  readonly adv: number[];
  readonly robust_acc: number;
  readonly 'rows_near_boundary_abs_margin_below_1e-3': number[];
}

const cases = ref.cases as unknown as Record<string, FabCase>;
const labels = ref.meta.labels;

/** True-class logit minus the best other logit, per row. */
function margins(logits: number[][]): number[] {
  return logits.map((row, i) => row[labels[i]!]! - Math.max(...row.filter((_, j) => j !== labels[i])));
}

describeBackends('FAB: torchattacks reference agreement', () => {
  for (const [key, c] of Object.entries(cases)) {
    it(key, async () => {
      const name = c.model as ReferenceModelName;
      const model = referenceModel(name);
      const x = tf.tensor(digits.x.slice(0, N * D), [N, ...referenceInputShape(name)]);
      const options = {
        epsilon: c.eps, steps: c.settings.steps, restarts: c.settings.n_restarts,
        alphaMax: c.settings.alpha_max, eta: c.settings.eta, beta: c.settings.beta,
      };
      const adv = c.attack === 'fab' ? await fab(model, x, labels, options) : await fabTargeted(model, x, labels, options);
      expect(adv.shape).toEqual(x.shape);
      const got = await adv.data();
      const logitsT = model.predict(adv) as tf.Tensor;
      const logits = await logitsT.array() as number[][];
      tf.dispose([adv, x, logitsT]);
      model.dispose();

      const margin = margins(logits);
      const near = new Set(c['rows_near_boundary_abs_margin_below_1e-3']);
      let broken = 0;
      let compared = 0;
      for (let i = 0; i < N; i++) {
        const success = margin[i]! < 0 ? 1 : 0;
        broken += success;
        const agrees = success === c.success[i];
        if (!agrees) {
          expect(near.has(i), `row ${i}: success ${success}, torchattacks ${c.success[i]}`).toBe(true);
          expect(Math.abs(margin[i]!), `row ${i} margin`).toBeLessThan(NEAR_BOUNDARY);
        }
        let linf = 0;
        let diff = 0;
        for (let j = 0; j < D; j++) {
          const k = i * D + j;
          const v = got[k]!;
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
          linf = Math.max(linf, Math.abs(v - digits.x[k]!));
          diff = Math.max(diff, Math.abs(v - c.adv[k]!));
        }
        expect(linf, `row ${i} L-inf`).toBeLessThanOrEqual(c.eps + 1e-6);
        if (agrees) {
          compared++;
          expect(diff, `row ${i}`).toBeLessThanOrEqual(TOLERANCE);
        }
      }
      expect(compared).toBeGreaterThanOrEqual(N - near.size);
      expect(Math.abs((N - broken) / N - c.robust_acc)).toBeLessThanOrEqual(near.size / N + 1e-6);
    });
  }
});
