/** Reference kernels and test data (copied from the shared reference folder into test/fixtures/compression). */
import models from '../fixtures/compression/models.json';
import digits from '../fixtures/compression/digits_test.json';

export interface KernelFixture {
  readonly model: 'mlp' | 'cnn';
  readonly name: string;
  readonly shape: number[];
  readonly values: Float32Array;
}

interface LayerSpec {
  readonly type: string;
  readonly name: string;
  readonly kernelShape?: number[];
  readonly kernel?: number[];
}

/** Kernels of one reference model, in layer order, tfjs layout. */
export function referenceKernels(model: 'mlp' | 'cnn'): KernelFixture[] {
  const layers = (models[model] as unknown as { layers: LayerSpec[] }).layers;
  return layers
    .filter((l) => l.kernel !== undefined)
    .map((l) => ({ model, name: l.name, shape: l.kernelShape!, values: Float32Array.from(l.kernel!) }));
}

/** The 450 test digits: x scaled to [0, 1] (float32, as the reference models saw them), labels. */
export function digitsTest(): { x: Float32Array; labels: number[]; n: number } {
  return { x: Float32Array.from(digits.pixels_0_16, (p) => p / 16), labels: digits.labels, n: digits.n };
}

/** Unpacks a numpy.packbits hex string (MSB first) into n mask bits (1 = kept). */
export function unpackHexMask(hex: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const byte = parseInt(hex.slice((i >> 3) * 2, (i >> 3) * 2 + 2), 16);
    out[i] = (byte >> (7 - (i & 7))) & 1;
  }
  return out;
}
