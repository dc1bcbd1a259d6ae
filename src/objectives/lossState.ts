import { isTensor } from '../core/labels.js';
import { labelsLikeOutputs } from '../core/outputs/index.js';
import {
  add, dispose, keep, mul, scalar, slice, stack, sub, sum, tidy, type Scalar, type Tensor, type Tensor2D, type Variable,
} from '../core/tf.js';
import { invalid } from '../core/validate.js';
import { extrasTensors } from '../fairness/groupTensors.js';
import type { WeightingState, WeightingStrategy } from './strategies/types.js';
import { weightVector } from './strategies/weightVector.js';
import type { LossTerm, ObjectiveBatch, PrepareContext, TermContext } from './types.js';

/** The current batch, converted and prepared (internal). */
interface BoundBatch {
  readonly x: Tensor;
  readonly labels: Tensor2D;
  readonly extras: Record<string, Tensor>;
  /** Tensors the loss owns (labels, prepared extras). */
  readonly owned: Tensor[];
}

/**
 * What every {@link EthicalLoss} has whatever its strategy (internal): the objectives, their
 * current weights and offsets, the bound batch and the recorded values. The strategy's own state
 * lives in `weighting`, the object its `init` returned.
 */
export class LossState {
  readonly objectives: readonly LossTerm[];
  /** Current weight per objective, the task first (set by the strategy through its contexts). */
  readonly weights: number[];
  /** Constant subtracted from each objective in the weighted sum (Lagrangian bounds; 0 otherwise). */
  readonly offsets: readonly number[];
  /** The strategy's per-loss state. */
  readonly weighting: WeightingState;
  batch: BoundBatch | undefined;
  lastValues: Tensor | undefined;
  outputWidth: number | undefined;
  readonly kernels: Variable[];

  constructor(
    readonly fn: string,
    readonly model: unknown,
    readonly forward: (x: Tensor) => Tensor,
    readonly variables: Variable[],
    task: LossTerm,
    terms: readonly LossTerm[],
    readonly strategy: WeightingStrategy,
  ) {
    this.objectives = [task, ...terms];
    this.kernels = variables.filter((v) => v.rank >= 2);
    const k = this.objectives.length;
    const weighting = strategy.init(Object.freeze(this.names()));
    if (typeof weighting !== 'object' || weighting === null || typeof weighting.step !== 'function') {
      invalid(fn, 'options.weights', weighting, `a strategy whose init returns { initialWeights, step } (${strategy.name})`);
    }
    if (weighting.setBatch !== undefined && typeof weighting.setBatch !== 'function') invalid(fn, 'options.weights', weighting.setBatch, 'a strategy whose setBatch is a function');
    this.weighting = weighting;
    this.weights = weightVector(fn, `options.weights (${strategy.name}).initialWeights`, weighting.initialWeights, k);
    this.offsets = weighting.offsets === undefined ? this.objectives.map(() => 0) : weightVector(fn, `options.weights (${strategy.name}).offsets`, weighting.offsets, k);
  }

  names(): string[] {
    return this.objectives.map((t) => t.name);
  }

  requireBatch(): BoundBatch {
    if (this.batch === undefined) invalid(this.fn, 'batch', undefined, 'set before the loss is evaluated', 'Call `await loss.setBatch(batch)` first');
    return this.batch;
  }

  /** Context of the bound batch (or of rows [start, start + size) of it) with outputs computed (inside tidy). */
  context(rows?: { start: number; size: number }): TermContext {
    const b = this.requireBatch();
    const cut = (t: Tensor): Tensor => (rows === undefined ? t : slice(t, [rows.start], [rows.size]));
    const x = cut(b.x);
    const extras: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(b.extras)) extras[k] = v.rank >= 1 && v.shape[0] === b.x.shape[0] ? cut(v) : v;
    return {
      x, labels: cut(b.labels) as Tensor2D, outputs: this.forward(x), forward: this.forward, extras,
      variables: this.variables, kernels: this.kernels,
    };
  }

  /**
   * A context without data, for terms declared `'none'` under DP-SGD: reading `x`, `labels`,
   * `outputs` or `extras` throws, so a term that misdeclares its data dependence cannot leak data.
   */
  parameterContext(): TermContext {
    const fn = this.fn;
    const refuse = (field: string) => (): never =>
      invalid(fn, 'terms', field, "terms with data dependence 'none' that read no batch data", `A 'none' term read ctx.${field}; declare it 'example' or 'batch'`);
    const ctx = { forward: this.forward, variables: this.variables, kernels: this.kernels };
    for (const field of ['x', 'labels', 'outputs', 'extras']) Object.defineProperty(ctx, field, { get: refuse(field), enumerable: true });
    return ctx as unknown as TermContext;
  }

  /** Each objective's value, in order (inside tidy). */
  values(ctx: TermContext, which?: readonly number[]): Scalar[] {
    return (which ?? this.objectives.map((_, i) => i)).map((i) => {
      const v = this.objectives[i]!.fn(ctx);
      if (!isTensor(v) || v.rank !== 0) invalid(this.fn, `terms.${this.objectives[i]!.name}`, v, 'a term whose fn returns a scalar tensor');
      return v;
    });
  }

  /**
   * The weighted objective `sum_i w_i (v_i - offset_i)` over the given values (inside tidy);
   * `which` names the objective index of each value (default: all, in order).
   */
  combine(values: readonly Scalar[], which?: readonly number[]): Scalar {
    let total: Tensor = scalar(0);
    values.forEach((v, j) => {
      const i = which === undefined ? j : (which[j] as number);
      const b = this.offsets[i] as number;
      const w = this.weights[i] as number;
      if (w === 0) return;
      total = add(total, mul(scalar(w), b === 0 ? v : sub(v, scalar(b))));
    });
    return total as Scalar;
  }

  /** Replaces the recorded per-objective values (takes ownership of `next`). */
  record(next: Tensor): void {
    const prev = this.lastValues;
    this.lastValues = keep(next);
    if (prev !== undefined && prev !== next) prev.dispose();
  }

  /** Weighted loss on the bound batch, recording the values (the callable's body). */
  evaluate(): Scalar {
    return tidy(() => {
      const values = this.values(this.context());
      this.record(stack(values));
      return this.combine(values);
    });
  }

  async bind(batch: ObjectiveBatch): Promise<void> {
    const fn = this.fn;
    if (typeof batch !== 'object' || batch === null) invalid(fn, 'batch', batch, 'an object { x, y, extras? }');
    if (!isTensor(batch.x) || batch.x.rank < 1 || batch.x.shape[0] === 0) invalid(fn, 'batch.x', batch.x, 'a tensor [batch, ...features] with batch >= 1');
    const n = batch.x.shape[0] as number;
    if (this.outputWidth === undefined) {
      const probe = tidy(() => this.forward(slice(batch.x, [0], [1])));
      const width = probe.rank === 2 ? (probe.shape[1] as number) : -1;
      probe.dispose();
      if (width < 1) invalid(fn, 'model', probe, 'a model returning logits of shape [batch, classes]');
      this.outputWidth = width;
    }
    const labels = labelsLikeOutputs(fn, batch.y, this.outputWidth, n);
    const owned: Tensor[] = [labels];
    let extras: Record<string, Tensor>;
    try {
      // Group labels among the extras (arrays, named columns, string tensors) become int32 codes here.
      const converted = await extrasTensors(fn, 'batch.extras', batch.extras, n, 'batch.x');
      extras = converted.extras;
      owned.push(...converted.created);
      const prep: PrepareContext = { x: batch.x, labels, forward: this.forward, extras, variables: this.variables, kernels: this.kernels };
      for (const term of this.objectives) {
        if (term.prepare === undefined) continue;
        const added = await term.prepare(prep);
        for (const [k, v] of Object.entries(added)) {
          if (k in extras) invalid(fn, `terms.${term.name}.prepare`, k, 'new extras keys (this one already exists)');
          extras[k] = v;
          owned.push(v);
        }
      }
    } catch (e) {
      dispose(owned);
      throw e;
    }
    this.unbind();
    this.batch = { x: batch.x, labels, extras, owned };
  }

  unbind(): void {
    if (this.batch !== undefined) dispose(this.batch.owned);
    this.batch = undefined;
  }

  dispose(): void {
    this.unbind();
    if (this.lastValues !== undefined) this.lastValues.dispose();
    this.lastValues = undefined;
  }
}

/** Sum of every variable times zero: connects all variables to a value so every gradient exists. */
export function connectAll(value: Scalar, variables: readonly Variable[]): Scalar {
  return tidy(() => add(value, mul(scalar(0), variables.map((v) => sum(v)).reduce((a, b) => add(a, b)))) as Scalar);
}
