/**
 * FAB's outer loop (internal): torchattacks 3.5.1 `FAB.perturb`. Only the rows still robust are
 * attacked, run after run (restarts; for FAB-T, target class after target class, each with its
 * restarts); a row is broken when the run's point is misclassified and within `epsilon` of `x`,
 * and then keeps that point. Between runs (never inside one) a few flags are read to pick the rows.
 */
import { predictedClasses } from '../../core/outputs/index.js';
import {
  clone, concat, gather, greater, logicalAnd, logicalNot, notEqual, reshape, slice, sub, tensor1d, tidy, topk,
  type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import type { AttackContext } from '../context.js';
import { classCount, labelIndices, matchesLabels, scoresAt } from '../scores.js';
import type { FabSettings } from './options.js';
import { fabRun } from './run.js';
import { rowNorm } from '../steps.js';

/**
 * The `targetClasses` classes each row of `x` aims at, int32 `[rows, targetClasses]`: column j is
 * the clean input's (j + 2)-th highest score (torchattacks: `sort(logits)[1][:, -target_class]`
 * for target_class = 2, 3, ...).
 */
function rankedTargets(ctx: AttackContext, x: Tensor, targetClasses: number): Tensor2D {
  return tidy(() => slice(topk(scoresAt(ctx, x), targetClasses + 1, true).indices, [0, 1], [-1, targetClasses]) as Tensor2D);
}

/** Whether each row of `adv` is misclassified and within `epsilon` of `x`: bool `[rows]`. */
function accepted(ctx: AttackContext, x: Tensor, adv: Tensor, y: Tensor1D, s: FabSettings): Tensor1D {
  return tidy(() => {
    const rows = x.shape[0] as number;
    const wrong = notEqual(predictedClasses(ctx.forward(adv), ctx.outputKind), y);
    const distance = rowNorm(reshape(sub(x, adv), [rows, -1]) as Tensor2D, s.norm);
    return logicalAnd(wrong, logicalNot(greater(distance, s.epsilon))) as Tensor1D;
  });
}

/**
 * Runs FAB (untargeted when `targetClasses` is undefined, else FAB-T over that many targets) on
 * every row of `x` classified correctly. @returns Adversarial inputs of `x`'s shape (caller-owned):
 * broken rows carry their adversarial point, the others `x` unchanged.
 */
export async function fabAttack(ctx: AttackContext, x: Tensor, s: FabSettings, targetClasses?: number): Promise<Tensor> {
  const rows = x.shape[0] as number;
  const classes = classCount(ctx);
  const y = labelIndices(ctx);
  let targets: Tensor2D | undefined;
  let out = clone(x);
  try {
    const correct = matchesLabels(ctx, x);
    const robust = Array.from(await correct.data(), (v) => v === 1);
    correct.dispose();
    if (targetClasses !== undefined) targets = rankedTargets(ctx, x, targetClasses);
    const passes = targetClasses ?? 1;
    for (let pass = 0; pass < passes; pass++) {
      for (let restart = 0; restart < s.restarts; restart++) {
        const idx = robust.flatMap((r, i) => (r ? [i] : []));
        if (idx.length === 0) return out;
        const rowsT = tensor1d(idx, 'int32');
        const xs = gather(x, rowsT);
        const ys = gather(y, rowsT) as Tensor1D;
        const target = targets === undefined
          ? undefined
          : tidy(() => reshape(gather(slice(targets!, [0, pass], [-1, 1]), rowsT), [-1]) as Tensor1D);
        let adv: Tensor | undefined;
        let ok: Tensor1D | undefined;
        try {
          adv = await fabRun(ctx, { x: xs, y: ys, target, classes }, s, restart > 0);
          ok = accepted(ctx, xs, adv, ys, s);
          const broken = await ok.data();
          const map = Array.from({ length: rows }, (_, i) => i);
          idx.forEach((row, j) => {
            if (broken[j] === 1) {
              map[row] = rows + j;
              robust[row] = false;
            }
          });
          const [prev, a] = [out, adv];
          out = tidy(() => gather(concat([prev, a]), tensor1d(map, 'int32')));
          prev.dispose();
        } finally {
          rowsT.dispose();
          xs.dispose();
          ys.dispose();
          target?.dispose();
          adv?.dispose();
          ok?.dispose();
        }
      }
    }
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    y.dispose();
    targets?.dispose();
  }
}
