/**
 * The outer loop shared by APGD and APGD-T (internal), as torchattacks' `perturb`: each restart
 * attacks, as one sub-batch, only the rows not broken yet, and writes the rows it breaks into the
 * result. Rows never broken keep their input.
 */
import { tensorSeed } from '../../core/rng.js';
import { concat, gather, logicalNot, tensor1d, tidy, type Tensor, type Tensor1D } from '../../core/tf.js';
import type { AttackContext } from '../context.js';
import { matchesLabels } from '../scores.js';
import type { ApgdSettings } from './options.js';
import { apgdRun, type ApgdProblem } from './run.js';
import { apgdRandomStart } from './start.js';
import { disposeFeasibleSet, feasibleSet } from './update.js';

/** A problem on a sub-batch, with the tensors it holds. */
export interface RowProblem {
  readonly problem: ApgdProblem;
  readonly dispose: () => void;
}

/** Indices (or `rows[j]`) of the true entries of a bool vector (one read). */
async function trueIndices(mask: Tensor, rows: readonly number[] | undefined): Promise<number[]> {
  const values = await mask.data();
  const out: number[] = [];
  values.forEach((v, j) => {
    if (v) out.push(rows === undefined ? j : rows[j] as number);
  });
  return out;
}

/**
 * The rows an attack starts on: those the model classifies as their label (untargeted), or not
 * yet as their target (targeted). Rows already misclassified count as broken and are not
 * attacked, as torchattacks.
 */
export function rowsToAttack(ctx: AttackContext, x: Tensor): Promise<number[]> {
  const mask = tidy(() => (ctx.targeted ? logicalNot(matchesLabels(ctx, x)) : matchesLabels(ctx, x)));
  return trueIndices(mask, undefined).finally(() => mask.dispose());
}

/** `full` with row `rows[j]` replaced by `sub[j]` wherever `take[j]` (caller-owned). */
function mergeRows(full: Tensor, rows: readonly number[], sub: Tensor, take: readonly number[]): Tensor {
  const batch = full.shape[0] as number;
  const index = Array.from({ length: batch }, (_, i) => i);
  take.forEach((j) => {
    index[rows[j] as number] = batch + j;
  });
  return tidy(() => gather(concat([full, sub]), tensor1d(index, 'int32')));
}

/**
 * `settings.restarts` APGD runs, each on the rows of `rows` still unbroken, starting the first
 * from `start` (when given) and the others from torchattacks' random start. Takes ownership of
 * `adv` (disposed on error).
 * @returns The updated adversarial batch (caller-owned) and the rows still unbroken.
 */
export async function attackRows(
  ctx: AttackContext, x: Tensor, s: ApgdSettings, rows: number[], adv: Tensor,
  build: (index: Tensor1D) => RowProblem, start: Tensor | undefined,
): Promise<{ adv: Tensor; rows: number[] }> {
  let current = adv;
  let remaining = rows;
  try {
    for (let r = 0; r < s.restarts && remaining.length > 0; r++) {
      const index = tensor1d(remaining, 'int32');
      const xs = gather(x, index);
      const set = feasibleSet(s.norm, xs, s.epsilon, ctx.clipMin, ctx.clipMax);
      let built: RowProblem | undefined;
      let x0: Tensor | undefined;
      try {
        built = build(index);
        x0 = r === 0 && start !== undefined
          ? gather(start, index)
          : apgdRandomStart(xs, s.norm, s.epsilon, ctx.clipMin, ctx.clipMax, tensorSeed(s.rng));
        const result = await apgdRun(built.problem, set, x0, {
          steps: s.steps, rho: s.rho, eotIterations: s.eotIterations, fn: ctx.fn, signal: ctx.signal,
        });
        try {
          const broken = await trueIndices(result.reached, undefined);
          const merged = mergeRows(current, remaining, result.adversarial, broken);
          current.dispose();
          current = merged;
          const brokenSet = new Set(broken);
          remaining = remaining.filter((_, j) => !brokenSet.has(j));
        } finally {
          result.reached.dispose();
          result.adversarial.dispose();
        }
      } finally {
        built?.dispose();
        x0?.dispose();
        disposeFeasibleSet(set);
        xs.dispose();
        index.dispose();
      }
    }
  } catch (e) {
    current.dispose();
    throw e;
  }
  return { adv: current, rows: remaining };
}
