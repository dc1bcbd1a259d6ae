/**
 * The explain module's browser subset on webgl and webgpu, against Captum (test/fixtures/explain):
 * saliency and integrated gradients (Gauss-Legendre) on the digits MLP and CNN, Grad-CAM on the
 * CNN's conv2 (the pre-ReLU map) with its nearest and bilinear upsampling, the convergence deltas,
 * and no leaks.
 *
 * Tolerances. The Node suites hold every element to `1e-5 + 1e-4·|value|`. GPU backends sum
 * convolutions and matrix products in another order, and webgl may store 16-bit floats on devices
 * without 32-bit float textures, so here an element may differ from Captum's by
 * `tol·(scale + |value|)`, where `scale` is the row's largest |attribution| (the fixtures'
 * `max_abs_attr_per_sample`) and `tol` is `backendTolerance`: 1e-3 on webgl, 1e-5 on webgpu.
 * Measured in headless Chromium (SwiftShader, 32-bit floats on both backends): at most 1.1e-6 on
 * every compared element, except the rounding-decided row below.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import { integratedGradients, interpolateAttribution, layerGradCam, saliency } from '../../src/explain/index.js';
import { backendTolerance, describeBackends, type BackendName } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { digitsModel, exampleShape, flat, referenceCase, referenceInputs, referenceTargets } from '../explain/fixtures.js';

type DigitsName = 'mlp' | 'cnn';

/**
 * Rows whose float32 result is decided by rounding on these backends, per case. CNN row 14 under
 * IG with 50 Gauss-Legendre nodes: at node 20 (α = 0.36186) one conv2 pre-activation is
 * -7.4e-8 on cpu (as in Captum's float32) and +1.1e-8 on webgl and webgpu, so its ReLU is open on
 * the GPUs and closed on the CPU at that one path point. That node's gradient then differs, by
 * 2.7e-4 of the row's scale in the sum (measured; identical on both GPU backends), and the
 * convergence delta by 1.2e-3. Those rows are held to {@link FLIPPED_ROW_TOLERANCE} instead.
 */
const ROUNDING_DECIDED: Record<string, readonly number[]> = {
  'cnn/pred/ig/gausslegendre/n50': [14],
};

/** A ReLU flipped at one of 50 path points moves the sum by one node's weight times a gradient. */
const FLIPPED_ROW_TOLERANCE = 1e-3;

/** Rows `from..to-1` of the reference inputs. */
function rows(name: DigitsName, from: number, to: number): tf.Tensor {
  const all = referenceInputs(name);
  const part = tf.slice(all, from, to - from);
  all.dispose();
  return part;
}

/**
 * Asserts that `actual` (rows `from..from+rowCount-1` of a case) agrees with Captum's values: each
 * element within `tol·(scale + |value|)`, `scale` being the row's largest |attribution| as Captum
 * computed it; rounding-decided rows within {@link FLIPPED_ROW_TOLERANCE}.
 */
function expectClose(actual: ArrayLike<number>, key: string, name: DigitsName, from: number, rowCount: number, tol: number): void {
  const c = referenceCase(name, key);
  const all = flat(c.attr);
  const perRow = all.length / 50;
  const maxPerRow = flat(c.max_abs_attr_per_sample);
  const decided = new Set(ROUNDING_DECIDED[key] ?? []);
  expect(actual.length).toBe(rowCount * perRow);
  let worst = { excess: 0, where: '' };
  for (let i = 0; i < actual.length; i++) {
    const row = from + Math.floor(i / perRow);
    const e = all[from * perRow + i]!;
    const a = actual[i]!;
    // + 1e-6 keeps rows whose map is all zero (Grad-CAM with its ReLU) comparable.
    const relative = Math.abs(a - e) / (maxPerRow[row]! + Math.abs(e) + 1e-6);
    const excess = Number.isNaN(a) ? Infinity : relative / (decided.has(row) ? FLIPPED_ROW_TOLERANCE : tol);
    if (excess > worst.excess) worst = { excess, where: `row ${row}, element ${i % perRow}: ours ${a}, Captum ${e} (relative ${relative.toExponential(2)})` };
  }
  expect(worst.excess, `${key}: ${worst.where}`).toBeLessThanOrEqual(1);
}

/** Convergence deltas are differences of output values (CNN logits reach 50): absolute tolerance. */
function deltaTolerance(backend: BackendName): number {
  return backend === 'webgl' ? 1e-3 : 1e-4;
}

describeBackends('explain in the browser', (backend) => {
  const tol = backendTolerance(backend);

  it('runs on the requested backend', () => expect(tf.getBackend()).toBe(backend));

  for (const name of ['mlp', 'cnn'] as const) {
    it(`${name}: saliency (abs and signed) on the 50 reference rows agrees with Captum`, async () => {
      const model = digitsModel(name);
      const x = referenceInputs(name);
      const target = referenceTargets(name, 'pred');
      for (const abs of [true, false]) {
        const { attributions } = await saliency(model, x, { target, abs });
        expect(attributions.shape).toEqual([50, ...exampleShape(name)]);
        expectClose(await attributions.data(), `${name}/pred/saliency/abs_${abs}`, name, 0, 50, tol);
        attributions.dispose();
      }
      // 'predicted' (the default) resolves to Captum's argmax on every row.
      const predicted = await saliency(model, x, { abs: false });
      expectClose(await predicted.attributions.data(), `${name}/pred/saliency/abs_false`, name, 0, 50, tol);
      predicted.attributions.dispose();
      x.dispose();
      model.dispose();
    });
  }

  const IG_CASES = [
    { name: 'mlp' as const, steps: 20, from: 0, to: 50 },
    { name: 'mlp' as const, steps: 50, from: 0, to: 10 },
    { name: 'cnn' as const, steps: 20, from: 0, to: 10 },
    { name: 'cnn' as const, steps: 50, from: 10, to: 20 },
  ];
  for (const { name, steps, from, to } of IG_CASES) {
    it(`${name}: integrated gradients, Gauss-Legendre n=${steps}, rows ${from}..${to - 1}, and the convergence delta`, async () => {
      const model = digitsModel(name);
      const x = rows(name, from, to);
      const key = `${name}/pred/ig/gausslegendre/n${steps}`;
      const target = referenceTargets(name, 'pred').slice(from, to);
      const { attributions, convergenceDelta } = await integratedGradients(model, x, {
        target, steps, method: 'gaussLegendre', returnConvergenceDelta: true,
      });
      expectClose(await attributions.data(), key, name, from, to - from, tol);
      expect(convergenceDelta).toBeDefined();
      const delta = await convergenceDelta!.data();
      const expected = flat(referenceCase(name, key).delta).slice(from, to);
      const decided = new Set(ROUNDING_DECIDED[key] ?? []);
      expected.forEach((d, i) => {
        const allowed = decided.has(from + i) ? 5e-3 : deltaTolerance(backend);
        expect(Math.abs(delta[i]! - d), `row ${from + i}: delta ${delta[i]}, Captum ${d}`).toBeLessThanOrEqual(allowed);
      });
      tf.dispose([attributions, convergenceDelta!, x]);
      model.dispose();
    });
  }

  it('cnn: Grad-CAM of conv2 (pre-ReLU map), with and without the ReLU, and its upsampling', async () => {
    const model = digitsModel('cnn');
    const x = referenceInputs('cnn');
    const target = referenceTargets('cnn', 'pred');
    for (const relu of [true, false]) {
      const { attributions } = await layerGradCam(model, x, { target, layer: 'conv2', reluAttributions: relu });
      expect(attributions.shape).toEqual([50, 8, 8, 1]);
      expectClose(await attributions.data(), `cnn/pred/gradcam/conv2/relu_${relu}`, 'cnn', 0, 50, tol);
      // Nearest to the same size: the identity, as in Captum.
      const same = interpolateAttribution(attributions, [8, 8]);
      expectClose(await same.data(), `cnn/pred/gradcam_upsampled/conv2/relu_${relu}`, 'cnn', 0, 50, tol);
      if (relu) {
        // torch's bilinear with align_corners=False.
        const up = interpolateAttribution(attributions, [16, 16], 'bilinear');
        expect(up.shape).toEqual([50, 16, 16, 1]);
        expectClose(await up.data(), 'cnn/pred/gradcam_upsampled16_bilinear/conv2/relu_true', 'cnn', 0, 50, tol);
        up.dispose();
      }
      tf.dispose([attributions, same]);
    }
    x.dispose();
    model.dispose();
  });

  it('leaks no tensors (IG with chunks, saliency, Grad-CAM and its upsampling)', async () => {
    const model = digitsModel('cnn');
    const x = rows('cnn', 0, 4);
    await expectNoLeaks(() => integratedGradients(model, x, { steps: 8, internalBatchSize: 10, returnConvergenceDelta: true }));
    await expectNoLeaks(() => saliency(model, x));
    await expectNoLeaks(async () => {
      const { attributions } = await layerGradCam(model, x, { layer: 'conv2', reluAttributions: true });
      const up = interpolateAttribution(attributions, [16, 16], 'bilinear');
      attributions.dispose();
      return up;
    });
    // Error paths: a layer that does not exist, IG with steps < 1; nothing left behind.
    const before = tf.memory().numTensors;
    await expect(layerGradCam(model, x, { layer: 'no_such_layer' })).rejects.toThrow(InvalidArgumentError);
    await expect(integratedGradients(model, x, { steps: 0 })).rejects.toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});
