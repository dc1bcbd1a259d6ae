import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { pruneByMagnitude, prunedWeightCount } from '../../src/compression/index.js';
import prune from '../fixtures/compression/prune.json';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceKernels, unpackHexMask } from './fixtures.js';
import { referenceModel, testAccuracy, type ReferenceModelName } from './referenceModels.js';

interface GlobalRef {
  nprune_total: number;
  per_layer: Record<string, { zeros: number }>;
  test_accuracy_no_finetune: number;
  masks_tfjs_layout_hex: Record<string, string>;
}

describe('prunedWeightCount', () => {
  it('torch rounds the number pruned half to even; tfmot rounds the number kept', () => {
    expect(prunedWeightCount(5, 0.5)).toBe(prune.tie_examples.half_rounding.torch_nprune);
    expect(prunedWeightCount(5, 0.5, 'tfmot')).toBe(prune.tie_examples.half_rounding.tfmot_zeros);
    expect(prunedWeightCount(4736, 0.5)).toBe(prune.mlp.global['0.5'].nprune_total);
    expect(prunedWeightCount(4736, 0.8)).toBe(prune.mlp.global['0.8'].nprune_total);
    expect(prunedWeightCount(4736, 0.9)).toBe(prune.mlp.global['0.9'].nprune_total);
    expect(prunedWeightCount(11464, 0.5)).toBe(prune.cnn.global['0.5'].nprune_total);
    expect(prunedWeightCount(0, 0.5)).toBe(0);
    expect(prunedWeightCount(1, 0.99, 'tfmot')).toBe(0); // tfmot keeps at least one
  });
  it('tfmot kept counts along the polynomial schedule match the reference for every layer', () => {
    const sizes: Record<string, number> = { 'mlp.fc1': 4096, 'mlp.fc2': 640, 'cnn.conv1': 72, 'cnn.conv2': 1152, 'cnn.fc': 10240 };
    for (const row of prune.tfmot_schedules.PolynomialDecay.table) {
      for (const [layer, kept] of Object.entries(row.tfmot_kept_k_per_layer)) {
        expect(sizes[layer]! - prunedWeightCount(sizes[layer]!, row.sparsity_float32, 'tfmot')).toBe(kept);
      }
    }
  });
  it('rejects sparsity outside [0, 1)', () => {
    expect(() => prunedWeightCount(10, 1)).toThrow(InvalidArgumentError);
    expect(() => prunedWeightCount(10, -0.1)).toThrow(/sparsity.*\[0, 1\)/);
    expect(() => prunedWeightCount(10, NaN)).toThrow(InvalidArgumentError);
    expect(() => prunedWeightCount(1.5, 0.5)).toThrow(/size/);
  });
});

describeBackends('pruneByMagnitude on tensors', () => {
  const masksOf = (model: ReferenceModelName, entry: GlobalRef) =>
    referenceKernels(model).map((k) => unpackHexMask(entry.masks_tfjs_layout_hex[k.name]!, k.values.length));

  for (const model of ['mlp', 'cnn'] as const) {
    const globals = prune[model].global as Record<string, GlobalRef>;
    for (const s of Object.keys(globals)) {
      it(`${model} global ${s}: same masks as torch global_unstructured`, async () => {
        const kernels = referenceKernels(model);
        const inputs = kernels.map((k) => tf.tensor(k.values, k.shape));
        const { masks, weights, report } = await pruneByMagnitude(inputs, { sparsity: Number(s), scope: 'global' });
        const expected = masksOf(model, globals[s]!);
        masks.forEach((m, i) => expect(Array.from(m.kept)).toEqual(Array.from(expected[i]!)));
        kernels.forEach((k, i) => expect(report.tensors[i]!.zeros).toBe(globals[s]!.per_layer[k.name]!.zeros));
        expect(report.zeros).toBe(globals[s]!.nprune_total);
        // The copies are pruned; the inputs are untouched.
        const w0 = await weights[0]!.data();
        expect(w0.filter((v) => v === 0).length).toBe(report.tensors[0]!.zeros);
        expect((await inputs[0]!.data()).filter((v) => v === 0).length).toBe(0);
        tf.dispose([...inputs, ...weights]);
      });
    }
    it(`${model} per layer 0.5: same masks as torch l1_unstructured and tfmot`, async () => {
      const entry = prune[model]['per_layer_0.5'] as unknown as GlobalRef & { per_layer: Record<string, { zeros: number }> };
      const kernels = referenceKernels(model);
      const inputs = kernels.map((k) => tf.tensor(k.values, k.shape));
      for (const rule of ['torch', 'tfmot'] as const) {
        const { masks, weights } = await pruneByMagnitude(inputs, { sparsity: 0.5, scope: 'layer', rule });
        const expected = masksOf(model, entry);
        masks.forEach((m, i) => expect(Array.from(m.kept)).toEqual(Array.from(expected[i]!)));
        tf.dispose(weights as tf.Tensor[]);
      }
      tf.dispose(inputs);
    });
    it(`${model}: tfmot per-layer zeros at 0.5 / 0.8 / 0.9`, async () => {
      const kernels = referenceKernels(model);
      const inputs = kernels.map((k) => tf.tensor(k.values, k.shape));
      const table = prune[model].tfmot_per_layer as Record<string, Record<string, { zeros: number }>>;
      for (const s of Object.keys(table)) {
        const { report, weights } = await pruneByMagnitude(inputs, { sparsity: Number(s), rule: 'tfmot' });
        kernels.forEach((k, i) => expect(report.tensors[i]!.zeros).toBe(table[s]![k.name]!.zeros));
        tf.dispose(weights as tf.Tensor[]);
      }
      tf.dispose(inputs);
    });
  }

  it('ties: torch rule prunes exactly round(s n), lowest index first; tfmot keeps all ties', async () => {
    const ex = prune.tie_examples.ties;
    const w = tf.tensor(ex.w);
    const torch = await pruneByMagnitude([w], { sparsity: ex.sparsity });
    expect(torch.report.zeros).toBe(ex.torch_zeros);
    expect(Array.from(torch.masks[0]!.kept)).toEqual([0, 0, 0, 1, 1, 1]); // the three first 0.1-magnitude entries go
    const tfmot = await pruneByMagnitude([w], { sparsity: ex.sparsity, rule: 'tfmot' });
    expect(Array.from(tfmot.masks[0]!.kept)).toEqual(ex.tfmot_mask);
    expect(tfmot.report.zeros).toBe(ex.tfmot_zeros);
    tf.dispose([w, ...torch.weights, ...tfmot.weights]);
  });

  it('structured: removes the Dense units with the smallest L1 / L2 column norms', async () => {
    // Columns norms (L1): c0 = 6, c1 = 0.6, c2 = 3, c3 = 3.3; L2 ranks c3 (sqrt 9.09) above c2 (sqrt 5) too.
    const w = tf.tensor([[1, 0.3, 1, 3.3], [5, 0.3, 2, 0]], [2, 4]);
    const l1 = await pruneByMagnitude([w], { sparsity: 0.5, structured: true });
    expect(Array.from(l1.masks[0]!.kept)).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    const l2 = await pruneByMagnitude([w], { sparsity: 0.25, structured: true, norm: 'l2' });
    expect(Array.from(await l2.weights[0]!.data())).toEqual(Array.from(Float32Array.from([1, 0, 1, 3.3, 5, 0, 2, 0])));
    tf.dispose([w, ...l1.weights, ...l2.weights]);
  });

  it('does not leak tensors', async () => {
    const w = tf.tensor([0.5, -0.1, 0.2, 0.05]);
    await expectNoLeaks(() => pruneByMagnitude([w], { sparsity: 0.5 }).then((r) => r.weights));
    w.dispose();
  });

  it('rejects bad input with typed errors', async () => {
    const w = tf.tensor([1, 2, 3]);
    await expect(pruneByMagnitude([w], { sparsity: 1 })).rejects.toThrow(InvalidArgumentError);
    await expect(pruneByMagnitude([w], { sparsity: -0.5 })).rejects.toThrow(/options.sparsity/);
    await expect(pruneByMagnitude([w], { sparsity: 0.5, scope: 'all' as never })).rejects.toThrow(/options.scope/);
    await expect(pruneByMagnitude([w], { sparsity: 0.5, scope: 'global', structured: true })).rejects.toThrow(/'layer' when structured/);
    const bad = tf.tensor([1, NaN, 3]);
    await expect(pruneByMagnitude([bad], { sparsity: 0.5 })).rejects.toThrow(/target\[0\]\[1\]/);
    const ints = tf.tensor([1, 2, 3], [3], 'int32');
    await expect(pruneByMagnitude([ints], { sparsity: 0.5 })).rejects.toThrow(/float32 tensor/);
    await expect(pruneByMagnitude({} as never, { sparsity: 0.5 })).rejects.toThrow(InvalidArgumentError);
    tf.dispose([w, bad, ints]);
  });
});

describeBackends('pruneByMagnitude on models', () => {
  let mlp: ReturnType<typeof referenceModel>;
  beforeAll(() => { mlp = referenceModel('mlp'); });
  afterAll(() => mlp.dispose());

  it('zeroes the kernels in place, leaves biases, and reproduces torch accuracy (MLP global 0.5)', async () => {
    const entry = prune.mlp.global['0.5'];
    const { masks, report } = await pruneByMagnitude(mlp, { sparsity: 0.5, scope: 'global' });
    expect(masks.map((m) => m.name)).toEqual(['fc1/kernel', 'fc2/kernel']);
    expect(report.tensors.map((t) => t.zeros)).toEqual([entry.per_layer.fc1.zeros, entry.per_layer.fc2.zeros]);
    expect(report.skipped.map((s) => s.name)).toEqual(['fc1/bias', 'fc2/bias']);
    const k = await mlp.getLayer('fc1').getWeights()[0]!.data();
    expect(k.filter((v) => v === 0).length).toBe(entry.per_layer.fc1.zeros);
    const bias = await mlp.getLayer('fc1').getWeights()[1]!.data();
    expect(bias.filter((v) => v === 0).length).toBe(0);
    const { accuracy } = await testAccuracy(mlp, 'mlp');
    expect(accuracy).toBeCloseTo(entry.test_accuracy_no_finetune, 10);
  });

  it('CNN per-layer 0.5 with structured filters, bias included', async () => {
    const cnn = referenceModel('cnn');
    const { masks, report } = await pruneByMagnitude(cnn, { sparsity: 0.5, structured: true, includeBias: true, layers: ['conv2'] });
    expect(masks.map((m) => m.name)).toEqual(['conv2/kernel', 'conv2/bias']);
    const b = await cnn.getLayer('conv2').getWeights()[1]!.data();
    expect(b.filter((v) => v === 0).length).toBe(8); // half of 16 filters, with their biases
    expect(report.tensors[0]!.zeros).toBe(3 * 3 * 8 * 8);
    await expect(pruneByMagnitude(cnn, { sparsity: 0.5, layers: ['nope'] })).rejects.toThrow(/options.layers/);
    cnn.dispose();
  });
});
