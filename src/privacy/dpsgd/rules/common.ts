/** Shared tensor helpers of the layer rules (internal). */
import { add, matMul, mul, reshape, sqrt, sum, type Tensor, type Tensor1D, type Tensor3D } from '../../../core/tf.js';
import type { ActivationLike, LayerLike, WeightLike } from '../types.js';

/** Applies `layer.activation` if the layer has one. */
export function applyActivation(layer: LayerLike, z: Tensor): Tensor {
  const act = layer.activation as ActivationLike | undefined;
  return act === undefined ? z : act.apply(z);
}

/** A named weight field of a layer (e.g. `kernel`), or undefined. */
export function weightField(layer: LayerLike, field: string): WeightLike | undefined {
  const w = layer[field] as WeightLike | null | undefined;
  return w === null || w === undefined ? undefined : w;
}

/** A config entry as a pair of numbers (`3` and `[3, 3]` both accepted). */
export function pair(value: unknown): [number, number] {
  if (typeof value === 'number') return [value, value];
  const a = value as number[];
  return [a[0] as number, (a[1] ?? a[0]) as number];
}

/** Reshapes `[batch, ..., features]` to `[batch, positions, features]`. */
export function toBatchPositions(t: Tensor, features: number): Tensor3D {
  const batch = t.shape[0] as number;
  return reshape(t, [batch, -1, features]) as Tensor3D;
}

/** Per-example sums of squares `[batch]` of a `[batch, ...]` tensor. */
export function squaredNormsPerExample(t: Tensor): Tensor1D {
  const batch = t.shape[0] as number;
  return sum(mul(reshape(t, [batch, -1]), reshape(t, [batch, -1])), 1) as Tensor1D;
}

/** Whether {@link ghostOuterNorms} takes a ghost form for `positions` rows of `p` and `q` features (else it returns undefined). */
export function ghostOuterNormsApply(positions: number, p: number, q: number): boolean {
  return positions === 1 || positions * positions < p * q;
}

/**
 * Ghost squared norms of `sum_t a_t g_t^T` per example, for `a` `[B, T, p]` and `g` `[B, T, q]`:
 * `||a||^2 ||g||^2` when T = 1, the Gram trick `sum (A A^T) * (G G^T)` when `T^2 < p q`, otherwise
 * undefined (materialising is cheaper).
 *
 * The Gram trick sums terms of both signs, so in float32 it can cancel far below the true norm
 * (an input crafted with opposite positions could make the clipping coefficient too large). Its
 * rounding error is at most `(p + q + T^2 + 4) u (sum_t ||a_t|| ||g_t||)^2` (dot products of
 * length p, q and a sum of T^2 products, Higham 2002, section 3.1); that bound, doubled for the
 * bound's own rounding, is added so the estimate is never below the exact value.
 */
export function ghostOuterNorms(a: Tensor3D, g: Tensor3D): Tensor1D | undefined {
  const [, positions, p] = a.shape;
  const q = g.shape[2];
  if (!ghostOuterNormsApply(positions, p, q)) return undefined;
  if (positions === 1) return mul(sum(mul(a, a), [1, 2]), sum(mul(g, g), [1, 2])) as Tensor1D;
  const gram = sum(mul(matMul(a, a, false, true), matMul(g, g, false, true)), [1, 2]);
  const triangle = sum(mul(sqrt(sum(mul(a, a), 2)), sqrt(sum(mul(g, g), 2))), 1);
  const gamma = 2 * (p + q + positions * positions + 4) * 2 ** -24;
  return add(gram, mul(mul(triangle, triangle), gamma)) as Tensor1D;
}

/** Scales `[batch, ...]` rows by `c` `[batch]`. */
export function scaleRows(t: Tensor, c: Tensor1D): Tensor {
  const shape = [t.shape[0] as number, ...t.shape.slice(1).map(() => 1)];
  return mul(t, reshape(c, shape));
}

/**
 * Ghost squared norms of a patch-based layer (convolutions): the kernel's `sum_t p_t g_t^T` plus,
 * with a bias, `||sum_t g_t||^2`; undefined when materialising is cheaper (see ghostOuterNorms).
 */
export function patchGhostNorms(p: Tensor3D, g: Tensor3D, withBias: boolean): Tensor1D | undefined {
  const kernelNorms = ghostOuterNorms(p, g);
  if (kernelNorms === undefined || !withBias) return kernelNorms;
  return add(kernelNorms, squaredNormsPerExample(sum(g, 1))) as Tensor1D;
}

/**
 * `sum_i c_i grad_i` of a patch-based layer without per-example gradients: the kernel as a
 * `[patchSize, filters]` matrix `P^T (c g)` over all examples and positions, and the bias.
 */
export function patchWeightedSum(p: Tensor3D, g: Tensor3D, c: Tensor1D, withBias: boolean): { kernel: Tensor; bias?: Tensor } {
  const gc = scaleRows(g, c);
  const kernel = matMul(reshape(p, [-1, p.shape[2]]), reshape(gc, [-1, g.shape[2]]), true, false);
  return withBias ? { kernel, bias: sum(gc, [0, 1]) } : { kernel };
}
