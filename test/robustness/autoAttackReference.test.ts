/**
 * AutoAttack against torchattacks 3.5.1's (fixtures/robustness2/autoattack.json: version
 * 'standard', seed 0, the 100 test rows as one batch). The chain is random, so the issue's bar is
 * statistical: our robust accuracy must be no higher than torchattacks' plus one point (one row of
 * 100). torchattacks runs its gradient attacks for 10 iterations; the original AutoAttack, our
 * default, for 100. Both are checked: the 10-iteration chain against the bar on every case, with
 * Square at 1,000 queries instead of 5,000 (a weaker chain, so the bar is harder to meet;
 * torchattacks' Square broke no row in any of these cases), and the default chain, on one case,
 * against the same bar (on wasm). The cpu backend runs the MLP cases only: the same chain on the CNN takes
 * minutes there (the single attacks are tested on the cpu CNN in their own suites).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness2/autoattack.json';
import digits from '../fixtures/robustness/digits_test.json';
import { seededRng } from '../../src/core/rng.js';
import { autoAttack } from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from './referenceModels.js';

type Case = { model: string; eps: number; rows: string; robust_acc: number; subattacks: { attack: string; n_in: number; n_fooled: number }[] };
const cases = Object.entries(ref.cases as Record<string, Case>).filter(([, c]) => c.rows === 'rows100');
const N = 100;

describeBackends('autoAttack against torchattacks', (backend) => {
  for (const [id, c] of cases) {
    const name = c.model as ReferenceModelName;
    const full = name === 'mlp' && c.eps === 0.1 && backend === 'wasm';
    it.skipIf(backend === 'cpu' && name === 'cnn')(`${id}${full ? ' (and the default 100-iteration chain)' : ''}`, async () => {
      const model = referenceModel(name);
      const x = tf.tensor(digits.x.slice(0, N * 64), [N, ...referenceInputShape(name)]);
      const y = ref.meta.labels;
      expect(digits.labels.slice(0, N)).toEqual(y);
      const short = await autoAttack(model, x, y, { epsilon: c.eps, steps: 10, queries: 1000, rng: seededRng(`aa-${id}`) });
      const long = full ? await autoAttack(model, x, y, { epsilon: c.eps, rng: seededRng(`aa-${id}`) }) : short;
      tf.dispose([x, short.adversarial, long.adversarial]);
      model.dispose();

      const clean = ref.meta.clean[name as 'mlp' | 'cnn'];
      expect(short.cleanCorrect).toEqual(clean.correct_100);
      expect(short.log.map((e) => e.attack)).toEqual(['apgd-ce', 'apgd-t', 'fab-t', 'square']);
      expect(short.robustAccuracy).toBeLessThanOrEqual(c.robust_acc + 0.01 + 1e-9);
      expect(long.robustAccuracy).toBeLessThanOrEqual(c.robust_acc + 0.01 + 1e-9);
      // The chain's own bookkeeping: robust = clean-correct minus every row broken.
      const broken = short.log.reduce((a, e) => a + e.broken, 0);
      expect(short.robustAccuracy * N).toBeCloseTo(clean.correct_100.reduce((a: number, b: number) => a + b, 0) - broken, 9);
      // torchattacks' first attack (APGD-CE) breaks nearly all it will: so does ours.
      const theirsFirst = c.subattacks[0]!.n_fooled - (N - clean.correct_100.reduce((a: number, b: number) => a + b, 0));
      expect(short.log[0]!.broken).toBeGreaterThanOrEqual(theirsFirst - 2);
    }, 240_000);
  }
});
