/**
 * One FAB run over a batch (internal): torchattacks 3.5.1 `FAB.attack_single_run` (untargeted) and
 * `attack_single_run_targeted`, batched, with no boolean indexing inside the loop.
 */
import { betweenSteps } from '../../core/eventLoop.js';
import { predictedClasses } from '../../core/outputs/index.js';
import { tensorSeed } from '../../core/rng.js';
import {
  add, concat, div, fill, logicalAnd, less, maximum, minimum, mul, notEqual, randomNormal, randomUniform, reshape, slice, sub, tidy, where,
  type Tensor, type Tensor1D, type Tensor2D,
} from '../../core/tf.js';
import type { AttackContext } from '../context.js';
import { clamp, rowNorm } from '../steps.js';
import { nearestBoundary, targetBoundary } from './boundary.js';
import type { FabSettings } from './options.js';
import { projectL2, projectLinf } from './projections.js';

/** Floor of the projection lengths before their ratio is taken, as torchattacks. */
const MIN_PROJECTION_NORM = 1e-8;

function column(v: Tensor): Tensor2D {
  return reshape(v, [-1, 1]) as Tensor2D;
}

/** What one run attacks: a batch, its true classes and, for FAB-T, its target classes. */
export interface FabRunInput {
  readonly x: Tensor;
  /** True classes, int32 `[rows]`. */
  readonly y: Tensor1D;
  /** Target classes, int32 `[rows]` (targeted run), or undefined (untargeted). */
  readonly target: Tensor1D | undefined;
  readonly classes: number;
}

/**
 * torchattacks' random start of restarts after the first: a point at distance `epsilon / 2` from
 * `x` in the attack's norm (L-inf: a uniform direction scaled to max-norm; L2: a Gaussian direction
 * scaled to unit length), clipped to the box. torchattacks scales by `min(res2, eps)` where `res2`
 * was just reset to 1e10, that is by `eps`.
 */
function randomStart(x0: Tensor2D, s: FabSettings, lo: number, hi: number): Tensor2D {
  return tidy(() => {
    const seed = tensorSeed(s.rng);
    const t = s.norm === 'linf' ? randomUniform(x0.shape, -1, 1, 'float32', seed) : randomNormal(x0.shape, 0, 1, 'float32', seed);
    const length = column(rowNorm(t as Tensor2D, s.norm));
    return clamp(add(x0, mul(div(mul(t, s.epsilon), length), 0.5)), lo, hi) as Tensor2D;
  });
}

/** Loop state: current point, best adversarial point so far and its norm (Infinity: none yet). */
interface RunState {
  readonly x1: Tensor2D;
  readonly adv: Tensor2D;
  readonly best: Tensor1D;
}

/**
 * One FAB iteration (a single `tidy`): linearise the boundary at `x1`, project `x1` and `x0` onto
 * it, combine the two projections with weight `α = min(max(a1 / (a1 + a2), 0), alphaMax)`
 * (`a1`, `a2` their lengths), overshoot by `eta`, clip to the box; then keep the point when it is
 * adversarial and shorter than the best so far, and pull adversarial points back towards `x0` by
 * `beta` (Croce & Hein 2020, Algorithm 1; torchattacks' order of float32 operations).
 */
function fabStep(ctx: AttackContext, input: FabRunInput, x0: Tensor2D, state: RunState, s: FabSettings): RunState {
  return tidy(() => {
    const { clipMin: lo, clipMax: hi } = ctx;
    const rows = x0.shape[0];
    const shape = input.x.shape;
    const x1 = reshape(state.x1, shape);
    const plane = input.target === undefined
      ? nearestBoundary(ctx, x1, input.y, input.classes, s.norm)
      : targetBoundary(ctx, x1, input.y, input.target, input.classes);
    const project = s.norm === 'linf' ? projectLinf : projectL2;
    const d3 = project(
      concat([state.x1, x0]) as Tensor2D, concat([plane.w, plane.w]) as Tensor2D, concat([plane.b, plane.b]) as Tensor1D, lo, hi,
    );
    const a0 = maximum(rowNorm(d3, s.norm), MIN_PROJECTION_NORM);
    const a1 = slice(a0, 0, rows);
    const a2 = slice(a0, rows, rows);
    const alpha = column(minimum(maximum(div(a1, add(a1, a2)), 0), s.alphaMax));
    const d1 = slice(d3, [0, 0], [rows, -1]);
    const d2 = slice(d3, [rows, 0], [rows, -1]);
    const moved = clamp(add(mul(add(state.x1, mul(d1, s.eta)), sub(1, alpha)), mul(add(x0, mul(d2, s.eta)), alpha)), lo, hi) as Tensor2D;
    const isAdv = notEqual(predictedClasses(ctx.forward(reshape(moved, shape)), ctx.outputKind), input.y);
    const distance = rowNorm(sub(moved, x0) as Tensor2D, s.norm);
    const better = logicalAnd(isAdv, less(distance, state.best));
    return {
      x1: where(column(isAdv), add(x0, mul(sub(moved, x0), s.beta)), moved) as Tensor2D,
      adv: where(column(better), moved, state.adv) as Tensor2D,
      best: where(better, distance, state.best) as Tensor1D,
    };
  });
}

function disposeState(state: RunState): void {
  state.x1.dispose();
  state.adv.dispose();
  state.best.dispose();
}

/**
 * One FAB run: `s.steps` iterations from `x` (or from a random start), yielding to the event loop
 * before each. @returns The smallest adversarial point found per row (`x`'s shape; `x` itself where
 * none was found), caller-owned. Disposes everything else, also on abort.
 */
export async function fabRun(ctx: AttackContext, input: FabRunInput, s: FabSettings, useRandomStart: boolean): Promise<Tensor> {
  const rows = input.x.shape[0] as number;
  const x0 = reshape(input.x, [rows, -1]) as Tensor2D;
  let state: RunState = {
    x1: useRandomStart ? randomStart(x0, s, ctx.clipMin, ctx.clipMax) : x0.clone(),
    adv: x0.clone(),
    best: fill([rows], Infinity) as Tensor1D,
  };
  try {
    for (let k = 0; k < s.steps; k++) {
      await betweenSteps(ctx.fn, ctx.signal);
      const next = fabStep(ctx, input, x0, state, s);
      disposeState(state);
      state = next;
    }
    const adv = reshape(state.adv, input.x.shape);
    return adv;
  } finally {
    disposeState(state);
    x0.dispose();
  }
}
