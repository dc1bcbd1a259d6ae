/**
 * One APGD run on a batch (internal): torchattacks 3.5.1's `APGD.attack_single_run` (identical
 * in `APGDT`), with all its bookkeeping kept on the device. Nothing is read back inside the loop:
 * the checkpoint schedule does not depend on the data, so the oscillation test and the step-size
 * halving are masked tensor updates at the iterations where a check falls.
 */
import { betweenSteps } from '../../core/eventLoop.js';
import { withTapeCleanup } from '../../core/tape.js';
import {
  add, cast, div, fill, greater, greaterEqual, keep, lessEqual, logicalAnd, logicalNot, logicalOr, mul, ones, reshape, scalar, tidy,
  valueAndGrad, where, zeros, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { rowCondition } from '../steps.js';
import { checkpointSchedule } from './schedule.js';
import { apgdStep, type FeasibleSet } from './update.js';

/** What a run climbs and when a row counts as broken; tensors captured are owned by the caller. */
export interface ApgdProblem {
  /** Model outputs of a batch (differentiable). */
  readonly forward: (x: Tensor) => Tensor;
  /** Per-row value to ascend, `[batch]`, from the outputs (differentiable). */
  readonly objective: (outputs: Tensor) => Tensor;
  /** Whether each row has reached the attack's goal at these outputs: bool `[batch]`. */
  readonly reached: (outputs: Tensor) => Tensor;
}

/** Settings of one run. */
export interface ApgdRunSettings {
  readonly steps: number;
  readonly rho: number;
  readonly eotIterations: number;
  /** For the abort checks between iterations. */
  readonly fn: string;
  readonly signal: AbortSignal | undefined;
}

/** A run's result: the rows that reached the goal, and per row the last iterate that did. */
export interface ApgdRunResult {
  /** bool `[batch]` (caller-owned). */
  readonly reached: Tensor1D;
  /** The last iterate (the start included) at which the row reached the goal; other rows: the start. */
  readonly adversarial: Tensor;
}

/** The momentum weight of the update: 1 at the first iteration (a plain step), 0.75 after (Sec. 3.1). */
const MOMENTUM = 0.75;

/** The run's state between iterations; several keys may hold the same tensor. */
type State = {
  xk: Tensor; xPrev: Tensor; g: Tensor; eta: Tensor;
  xBest: Tensor; gBest: Tensor; lossBest: Tensor;
  bestAdv: Tensor; reached: Tensor;
  prevLoss: Tensor; increases: Tensor; reducedLast: Tensor; lossBestLastCheck: Tensor;
};

function disposeReplaced(old: State, next: State | undefined): void {
  const live = new Set(next === undefined ? [] : Object.values(next));
  for (const t of new Set(Object.values(old))) if (!live.has(t)) t.dispose();
}

/**
 * Objective, its gradient (of the sum over rows, as torchattacks' `loss_indiv.sum()`) and the
 * goal test at `xk`, in one forward/backward pass per EOT sample. With `eot > 1` the gradient is
 * the mean over the passes and the objective and goal test are those of the last pass, as the
 * original. Call inside `tidy`; `reached` is kept (the caller disposes it).
 */
function evaluate(problem: ApgdProblem, xk: Tensor, eot: number): { loss: Tensor; grad: Tensor; reached: Tensor } {
  let gradSum: Tensor | undefined;
  let loss: Tensor | undefined;
  let reached: Tensor | undefined;
  try {
    for (let e = 0; e < eot; e++) {
      reached?.dispose();
      reached = undefined;
      const { value, grad } = withTapeCleanup(() => valueAndGrad((xi: Tensor) => {
        const out = problem.forward(xi);
        const objective = problem.objective(out);
        reached = keep(problem.reached(out));
        return objective;
      })(xk));
      loss = value;
      gradSum = gradSum === undefined ? grad : add(gradSum, grad);
    }
  } catch (e) {
    reached?.dispose();
    throw e;
  }
  const grad = eot === 1 ? gradSum as Tensor : div(gradSum as Tensor, scalar(eot));
  return { loss: loss as Tensor, grad, reached: reached as Tensor };
}

/** Initial state at the start point `x0`: one evaluation, step size 2·eps (Sec. 3.1). */
function initialState(problem: ApgdProblem, set: FeasibleSet, x0: Tensor, eot: number): State {
  return tidy(() => {
    const batch = x0.shape[0] as number;
    const { loss, grad, reached } = evaluate(problem, x0, eot);
    try {
      const rowShape = [batch, ...new Array<number>(x0.rank - 1).fill(1)];
      const xk = x0.clone();
      return {
        xk, xPrev: xk, g: grad, eta: fill(rowShape, Math.fround(set.epsilon) * 2),
        xBest: xk, gBest: grad, lossBest: loss,
        bestAdv: xk, reached: reached.clone(),
        // Zeros reproduce the first check's wrap-around: numpy's loss_steps[-1] is still 0.
        prevLoss: zeros([batch]), increases: zeros([batch]), reducedLast: cast(ones([batch]), 'bool'), lossBestLastCheck: loss,
      };
    } finally {
      reached.dispose();
    }
  });
}

/** One iteration (step, evaluation, bookkeeping, and the check when `window` is given). */
function iterate(problem: ApgdProblem, set: FeasibleSet, s: State, a: number, eot: number, rho: number, window: number | undefined): State {
  return tidy(() => {
    const xNew = apgdStep(set, s.xk, s.xPrev, s.g, s.eta, a);
    const { loss, grad, reached: now } = evaluate(problem, xNew, eot);
    try {
      // x_best_adv: the LAST iterate at which the row reached the goal (not the best loss).
      const bestAdv = where(rowCondition(now, set.everywhere), xNew, s.bestAdv);
      const reached = logicalOr(s.reached, now);
      const improved = greater(loss, s.lossBest);
      const improvedRows = rowCondition(improved, set.everywhere);
      const xBest = where(improvedRows, xNew, s.xBest);
      const gBest = where(improvedRows, grad, s.gBest);
      const lossBest = where(improved, loss, s.lossBest);
      const increases = add(s.increases, cast(greater(loss, s.prevLoss), 'float32'));
      let next: State = {
        xk: xNew, xPrev: s.xk, g: grad, eta: s.eta, xBest, gBest, lossBest, bestAdv, reached,
        prevLoss: loss, increases, reducedLast: s.reducedLast, lossBestLastCheck: s.lossBestLastCheck,
      };
      if (window !== undefined) {
        // (a) the loss increased in at most rho·k of the last k iterations (counts are integers,
        // so `count <= k·rho` is `count <= floor(k·rho)`, computed in double as numpy does);
        const oscillating = lessEqual(increases, scalar(Math.floor(window * rho)));
        // (b) no halving at the previous check and no improvement of the best loss since then.
        const stalled = logicalAnd(logicalNot(s.reducedLast), greaterEqual(s.lossBestLastCheck, lossBest));
        const halve = logicalOr(oscillating, stalled);
        const halveRows = rowCondition(halve, set.everywhere);
        // Halving restarts from the best point and its gradient; x_{k-1} (momentum) is kept.
        next = {
          ...next,
          eta: where(reshape(halve, s.eta.shape), mul(s.eta, scalar(0.5)), s.eta),
          xk: where(halveRows, xBest, xNew),
          g: where(halveRows, gBest, grad),
          reducedLast: halve,
          lossBestLastCheck: lossBest,
          increases: zeros(increases.shape),
        };
      }
      return next;
    } finally {
      now.dispose();
    }
  });
}

/**
 * APGD from `x0` on the rows of `set.x`. Yields to the event loop before every iteration and
 * stops with an AbortedError when the signal aborts, disposing its state.
 * @returns The rows that reached the goal and their last such iterate (caller-owned).
 */
export async function apgdRun(problem: ApgdProblem, set: FeasibleSet, x0: Tensor, s: ApgdRunSettings): Promise<ApgdRunResult> {
  const checks = new Map(checkpointSchedule(s.steps).map((c) => [c.iteration, c.window]));
  let state = initialState(problem, set, x0, s.eotIterations);
  try {
    for (let i = 0; i < s.steps; i++) {
      await betweenSteps(s.fn, s.signal);
      const next = iterate(problem, set, state, i === 0 ? 1 : MOMENTUM, s.eotIterations, s.rho, checks.get(i));
      disposeReplaced(state, next);
      state = next;
    }
  } catch (e) {
    disposeReplaced(state, undefined);
    throw e;
  }
  const result = { reached: state.reached as Tensor1D, adversarial: state.bestAdv };
  for (const t of new Set(Object.values(state))) if (t !== result.reached && t !== result.adversarial) t.dispose();
  return result;
}
