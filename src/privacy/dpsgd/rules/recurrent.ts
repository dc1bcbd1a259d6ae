/**
 * Per-example gradients of recurrent layers (internal), the sums Opacus' DPLSTM forms: per example,
 * `dKernel = sum_t x_t^T dz_t`, `dRecurrentKernel = sum_t r_t^T dz_t` and `dBias = sum_t dz_t`, where
 * `dz_t` is the gradient at the gate pre-activations of step t and `r_t` the step's recurrent input
 * (`h_{t-1}`; for GRU's candidate gate `reset * h_{t-1}`). The layer is unrolled here with the
 * cell's own math; `dz_t` is the vector-Jacobian product of the layer output, with the captured
 * output gradient as cotangent, at zero probes added to every step's gate pre-activations. An RNN
 * never mixes examples, so row i of `dz_t` is example i's.
 */
import {
  add, clone, concat, dispose, grads, keep, matMul, reshape, split, stack, sum, unstack, zeros,
  type Tensor, type Tensor1D, type Tensor2D, type Tensor3D,
} from '../../../core/tf.js';
import type { ActivationLike, LayerLike, NodeLike, WeightLike } from '../types.js';
import { ghostOuterNorms, scaleRows, squaredNormsPerExample, weightField } from './common.js';
import type { LayerCall, LayerRule } from './rule.js';

/** The tensors of one unrolled pass: the cell's weights read once. */
export interface CellParams {
  readonly units: number;
  readonly recurrentKernel: Tensor2D;
  readonly activation: ActivationLike;
  readonly recurrentActivation: ActivationLike | undefined;
}

/** One step's new states (the output `h` first) and the recurrent input of each column block. */
export interface StepResult {
  readonly states: Tensor2D[];
  readonly recurrentInputs: Tensor2D[];
}

/** The math of one cell type, matching tfjs-layers 4.22's `call`. */
export interface CellMath {
  /** The tfjs class name of the cell (`layer.cell`). */
  readonly cellClass: string;
  /** Gate blocks in the kernel's columns (1 SimpleRNN, 3 GRU, 4 LSTM). */
  readonly gates: number;
  /** State tensors carried between steps (h, or h and c). */
  readonly states: number;
  /** Widths of the recurrent kernel's column blocks, each multiplying one recurrent input. */
  blocks(units: number): number[];
  /** One step from `xProj = x_t W + b` `[B, gates * units]`; `probe` is added at the gate pre-activations. */
  step(p: CellParams, xProj: Tensor2D, states: Tensor2D[], probe: Tensor2D | undefined): StepResult;
  /** Why a cell option cannot be handled, or undefined. */
  check?(config: Record<string, unknown>): string | undefined;
}

function cellOf(layer: LayerLike): LayerLike {
  return layer.cell as LayerLike;
}

function weightsOf(layer: LayerLike): { kernel: WeightLike; recurrent: WeightLike; bias?: WeightLike } {
  const cell = cellOf(layer);
  const bias = weightField(cell, 'bias');
  return { kernel: weightField(cell, 'kernel') as WeightLike, recurrent: weightField(cell, 'recurrentKernel') as WeightLike, ...(bias ? { bias } : {}) };
}

/** Unrolls the layer over `[B, T, F]` inputs; returns its output and each step's recurrent inputs. */
function unroll(layer: LayerLike, math: CellMath, input: Tensor, probes?: readonly Tensor[]): { output: Tensor; recurrentInputs: Tensor2D[][] } {
  const cell = cellOf(layer);
  const w = weightsOf(layer);
  const kernel = w.kernel.read() as Tensor2D;
  const [features, columns] = kernel.shape;
  const [batch, steps] = input.shape as [number, number, number];
  const p: CellParams = {
    units: cell.units as number,
    recurrentKernel: w.recurrent.read() as Tensor2D,
    activation: cell.activation as ActivationLike,
    recurrentActivation: cell.recurrentActivation as ActivationLike | undefined,
  };
  const projected = matMul(reshape(input, [-1, features]), kernel);
  const withBias = w.bias === undefined ? projected : add(projected, w.bias.read());
  const xs = unstack(reshape(withBias, [batch, steps, columns]), 1) as Tensor2D[];
  let states: Tensor2D[] = Array.from({ length: math.states }, () => zeros([batch, p.units]) as Tensor2D);
  const outputs: Tensor2D[] = [];
  const recurrentInputs: Tensor2D[][] = [];
  xs.forEach((x, t) => {
    const r = math.step(p, x, states, probes?.[t] as Tensor2D | undefined);
    states = r.states;
    outputs.push(states[0] as Tensor2D);
    recurrentInputs.push(r.recurrentInputs);
  });
  const output = layer.returnSequences === true ? stack(outputs, 1) : (states[0] as Tensor2D);
  return { output, recurrentInputs };
}

/** What the weight gradients are built from: inputs, gate gradients and recurrent inputs, all `[B, T, .]`. */
interface Parts {
  readonly x: Tensor3D;
  readonly dz: Tensor3D;
  /** Per column block: its recurrent inputs `[B, T, units]` and its gate gradients `[B, T, width]`. */
  readonly blocks: { a: Tensor3D; g: Tensor3D }[];
}

/** Re-runs the unrolled layer with zero probes and takes the VJP of its output with the captured gradient. */
function parts(layer: LayerLike, math: CellMath, call: LayerCall): Parts {
  const [batch, steps] = call.input.shape as [number, number, number];
  const units = cellOf(layer).units as number;
  const probes = Array.from({ length: steps }, () => zeros([batch, math.gates * units]));
  const kept: Tensor[] = [];
  let recorded: Tensor2D[][] = [];
  try {
    const dzs = grads((...p: Tensor[]) => {
      const run = unroll(layer, math, call.input, p);
      recorded = run.recurrentInputs.map((step) => step.map((t) => keep(clone(t))));
      kept.push(...recorded.flat());
      return run.output;
    })(probes, call.outputGrad);
    const dz = stack(dzs, 1) as Tensor3D;
    const widths = math.blocks(units);
    const gs = widths.length === 1 ? [dz] : (split(dz, widths, 2) as Tensor3D[]);
    const blocks = widths.map((_, k) => ({ a: stack(recorded.map((step) => step[k] as Tensor2D), 1) as Tensor3D, g: gs[k] as Tensor3D }));
    return { x: call.input as Tensor3D, dz, blocks };
  } finally {
    dispose([...probes, ...kept]);
  }
}

/** Options of recurrent layers the engine cannot reproduce, or a mask reaching the layer. */
function checkRecurrent(layer: LayerLike, math: CellMath): string | undefined {
  const config = layer.getConfig();
  const cell = layer.cell as LayerLike | undefined;
  if (cell === undefined || cell.getClassName() !== math.cellClass) return `a cell other than ${math.cellClass} is not supported`;
  if (config.returnState === true) return 'returnState is not supported (the engine follows one output per layer)';
  if (config.goBackwards === true) return 'goBackwards is not supported';
  if (config.stateful === true) return 'stateful is not supported: carried-over states would link examples across batches';
  if (((config.dropout as number | undefined) ?? 0) > 0 || ((config.recurrentDropout as number | undefined) ?? 0) > 0) {
    return 'dropout and recurrentDropout are not reproduced by the per-example engine (use a Dropout layer before the recurrent layer)';
  }
  for (const f of ['recurrentRegularizer', 'recurrentConstraint']) {
    if (config[f] !== null && config[f] !== undefined) return `${f} is not applied by the per-example engine`;
  }
  const masked = maskSource(layer);
  if (masked !== undefined) return `its input carries a mask (from ${masked}), which the per-example engine does not apply`;
  return math.check?.(config);
}

/** The name of an upstream layer that makes a mask (Masking, Embedding with maskZero), if any. */
function maskSource(layer: LayerLike): string | undefined {
  const seen = new Set<LayerLike>();
  const stack: LayerLike[] = [layer];
  while (stack.length > 0) {
    const l = stack.pop() as LayerLike;
    for (const node of l.inboundNodes as readonly NodeLike[]) {
      for (const s of node.inputTensors) {
        const source = s.sourceLayer;
        if (seen.has(source)) continue;
        seen.add(source);
        const name = source.getClassName();
        if (name === 'Masking' || (name === 'Embedding' && source.getConfig().maskZero === true)) return source.name;
        stack.push(source);
      }
    }
  }
  return undefined;
}

/** Per-example gradients up to this many numbers (16 MB of float32) are materialised instead of ghost norms. */
const MATERIALISE_LIMIT = 1 << 22;

/** The rule of one recurrent layer type, from its cell's math. */
export function recurrentRule(math: CellMath): LayerRule {
  const rule: LayerRule = {
    check: (layer) => checkRecurrent(layer, math),
    weights(layer) {
      const w = weightsOf(layer);
      return w.bias === undefined ? [w.kernel, w.recurrent] : [w.kernel, w.recurrent, w.bias];
    },
    preActivation: (layer, input) => unroll(layer, math, input).output,
    activate: (_layer, z) => z,
    perExample(layer, call) {
      const { x, dz, blocks } = parts(layer, math, call);
      const recurrent = blocks.map(({ a, g }) => matMul(a, g, true, false));
      const out: Tensor[] = [matMul(x, dz, true, false), recurrent.length === 1 ? (recurrent[0] as Tensor) : concat(recurrent, 2)];
      if (weightsOf(layer).bias !== undefined) out.push(sum(dz, 1));
      return out;
    },
    ghostSquaredNorms(layer, call) {
      // Small per-example gradients are cheaper to build: the engine then reuses them for the
      // weighted sum, which saves one unrolled forward and backward pass.
      const count = rule.weights(layer).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
      return (call.input.shape[0] as number) * count <= MATERIALISE_LIMIT ? undefined : recurrentGhostNorms(layer, math, call);
    },
    weightedSum(layer, call, c) {
      const { x, dz, blocks } = parts(layer, math, call);
      const flat = (t: Tensor3D): Tensor2D => reshape(t, [-1, t.shape[2]]);
      const recurrent = blocks.map(({ a, g }) => matMul(flat(a), flat(scaleRows(g, c) as Tensor3D), true, false));
      const dzc = scaleRows(dz, c) as Tensor3D;
      const out: Tensor[] = [matMul(flat(x), flat(dzc), true, false), recurrent.length === 1 ? (recurrent[0] as Tensor) : concat(recurrent, 1)];
      if (weightsOf(layer).bias !== undefined) out.push(sum(dzc, [0, 1]));
      return out;
    },
  };
  return rule;
}

/**
 * Squared per-example gradient norms `[B]` without the per-example gradients where the Gram form
 * is smaller (see `ghostOuterNorms`): the recurrent kernel's column blocks are disjoint, so their
 * squared norms add.
 */
export function recurrentGhostNorms(layer: LayerLike, math: CellMath, call: LayerCall): Tensor1D {
  const { x, dz, blocks } = parts(layer, math, call);
  const outer = (a: Tensor3D, g: Tensor3D): Tensor1D => ghostOuterNorms(a, g) ?? squaredNormsPerExample(matMul(a, g, true, false));
  let total = outer(x, dz);
  for (const { a, g } of blocks) total = add(total, outer(a, g));
  if (weightsOf(layer).bias !== undefined) total = add(total, squaredNormsPerExample(sum(dz, 1)));
  return total;
}

/**
 * The rule of the generic `RNN` layer, by its cell's class (`SimpleRNNCell`, `LSTMCell`,
 * `GRUCell`); other cells, including stacked ones, are refused.
 */
export function genericRnnRule(rules: Readonly<Record<string, LayerRule>>): LayerRule {
  const of = (layer: LayerLike): LayerRule | undefined => rules[(layer.cell as LayerLike | undefined)?.getClassName() ?? ''];
  const pick = (layer: LayerLike): LayerRule => of(layer) as LayerRule;
  return {
    check: (layer) => (of(layer) === undefined ? `cells other than ${Object.keys(rules).join(', ')} are not supported` : pick(layer).check(layer)),
    weights: (layer) => pick(layer).weights(layer),
    preActivation: (layer, input) => pick(layer).preActivation(layer, input),
    activate: (_layer, z) => z,
    perExample: (layer, call) => pick(layer).perExample(layer, call),
    ghostSquaredNorms: (layer, call) => pick(layer).ghostSquaredNorms(layer, call),
    weightedSum: (layer, call, c) => pick(layer).weightedSum(layer, call, c),
  };
}

/** `x` plus `probe` when there is one. */
export function probed(x: Tensor2D, probe: Tensor2D | undefined): Tensor2D {
  return probe === undefined ? x : add(x, probe);
}
