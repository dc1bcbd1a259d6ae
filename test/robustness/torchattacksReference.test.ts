/**
 * Agreement with torchattacks 3.5.1 (reference/robustness/attacks.json): FGSM, PGD-Linf and
 * PGD-L2 (random start off) on the two reference digits models, the 100 test rows as one batch.
 * Predicted labels must agree on every row; adversarial inputs element-wise (1e-4 L-inf, 1e-3 L2)
 * on every row whose float32 gradient is not decided by rounding: rows not listed as fragile by the
 * reference's float64 rerun and whose clean true-class logit margin is below 11.5 (above it the
 * true-class term of the cross-entropy gradient, 1 - p_true < 1e-5, carries a float32 rounding
 * error of more than half a percent). Every row must satisfy the constraints.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness/attacks.json';
import { fgsm, pgd } from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from './referenceModels.js';

const N = 100;
const D = 64;
const MARGIN_LIMIT = 11.5;

/** Clean true-class logit margins (true logit minus best other), from our own forward pass. */
async function margins(model: LayersModel, x: tf.Tensor): Promise<number[]> {
  const logits = await (model.predict(x) as tf.Tensor).array() as number[][];
  return logits.map((row, i) => {
    const t = ref.inputs.labels[i]!;
    return row[t]! - Math.max(...row.filter((_, j) => j !== t));
  });
}

describeBackends('torchattacks reference agreement', () => {
  for (const name of ['mlp', 'cnn'] as ReferenceModelName[]) {
    for (const at of ref.models[name].attacks) {
      it(`${name} ${at.id}`, async () => {
        const model = referenceModel(name);
        const x = tf.tensor(ref.inputs.x, [N, ...referenceInputShape(name)]);
        const p = at.params as { eps: number; alpha?: number; steps?: number };
        const l2 = at.attack === 'PGDL2';
        const adv = at.attack === 'FGSM'
          ? await fgsm(model, x, ref.inputs.labels, { epsilon: p.eps })
          : await pgd(model, x, ref.inputs.labels, { epsilon: p.eps, stepSize: p.alpha!, steps: p.steps!, randomStart: false, norm: l2 ? 'l2' : 'linf' });
        expect(adv.shape).toEqual(x.shape);
        const got = await adv.data();
        const predT = tf.argMax(model.predict(adv) as tf.Tensor, 1);
        const pred = Array.from(await predT.data());
        const margin = await margins(model, x);
        tf.dispose([adv, predT, x]);
        model.dispose();

        expect(pred).toEqual(at.pred);
        const fragile = new Set(at.fragile_samples);
        const tol = l2 ? 1e-3 : 1e-4;
        let compared = 0;
        for (let i = 0; i < N; i++) {
          let linf = 0;
          let l2sq = 0;
          let diff = 0;
          for (let j = 0; j < D; j++) {
            const k = i * D + j;
            const v = got[k]!;
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
            const d = v - ref.inputs.x[k]!;
            linf = Math.max(linf, Math.abs(d));
            l2sq += d * d;
            diff = Math.max(diff, Math.abs(v - at.adv[k]!));
          }
          if (l2) expect(Math.sqrt(l2sq)).toBeLessThanOrEqual(p.eps * (1 + 1e-5));
          else expect(linf).toBeLessThanOrEqual(p.eps + 1e-6);
          if (!fragile.has(i) && margin[i]! < MARGIN_LIMIT) {
            compared++;
            expect(diff, `row ${i}`).toBeLessThanOrEqual(tol);
          }
        }
        // Most rows are compared element-wise (all of them for the MLP's L-inf attacks).
        expect(compared).toBeGreaterThanOrEqual(name === 'mlp' ? 90 : 40);
      });
    }
  }
});
