/**
 * The worker's backend: the one asked for in the page's address (`?backend=webgl`), else the
 * fastest the browser has: webgpu, then webgl (on an OffscreenCanvas, since this runs in a
 * worker), then wasm. The library never picks a backend; the application does, as here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Registers and initialises one backend; false when this browser cannot run it. */
async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'webgpu') {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (!gpu || !(await gpu.requestAdapter())) return false;
      await import('@tensorflow/tfjs-backend-webgpu');
    } else if (name === 'webgl') {
      if (typeof OffscreenCanvas === 'undefined' || !new OffscreenCanvas(1, 1).getContext('webgl2')) return false;
      await import('@tensorflow/tfjs-backend-webgl');
      // WEBGL_USE_SHAPES_UNIFORMS would compile fewer shader programs (DP-SGD's Poisson batches
      // change size every step), but with tfjs-backend-webgl 4.22 it made later predictions wrong
      // here: after the DP-SGD panel, the Adult model's model.predict(x, { batchSize: 4096 })
      // scored its first batch up to 0.75 away from cpu (the matMul of the first slice reused a
      // program compiled during training). Correct numbers first: it stays off.
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
      });
    } else {
      await import('@tensorflow/tfjs-backend-cpu');
    }
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** Picks the backend; returns it and the ones tried before it. */
export async function chooseBackend(requested: string | null): Promise<{ backend: BackendName; tried: BackendName[] }> {
  if (requested !== null && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new RangeError(`backend must be one of ${BACKENDS.join(', ')}, got ${requested}`);
  }
  const order: BackendName[] = requested ? [requested as BackendName] : ['webgpu', 'webgl', 'wasm'];
  const tried: BackendName[] = [];
  for (const name of order) {
    if (await tryBackend(name)) {
      await tf.ready();
      return { backend: name, tried };
    }
    tried.push(name);
  }
  throw new Error(`no backend could start (tried ${tried.join(', ')})`);
}
