/** The backend check of the public entry points that make tensors (internal). */
import { NoBackendError } from './errors.js';
import { engine } from './tf.js';

/**
 * Throws a {@link NoBackendError} naming `fn` when no tfjs backend is registered. It only reads
 * the engine's registry of backend factories (`engine().backendNames()`): it neither initialises
 * a backend nor makes a tensor, so it is cheap to call at the top of every entry point. A backend
 * that is registered but still starting (wasm, webgl and webgpu start asynchronously) passes;
 * tfjs then reports on its own that `tf.ready()` must be awaited.
 */
export function assertBackend(fn: string): void {
  let names: readonly string[];
  try {
    names = engine().backendNames();
  } catch {
    return; // an engine without the method (another tfjs version): let tfjs report on its own
  }
  if (names.length === 0) throw new NoBackendError(fn);
}

/**
 * Whether the active backend supports synchronous reads (`dataSync`). The webgpu backend does not
 * reliably (it maps GPU buffers asynchronously; in Chromium a synchronous read can fail with
 * "Failed to execute 'mapAsync' on 'GPUBuffer'"), so synchronous validation of tensor values is
 * skipped there by default and left to the caller's asynchronous checks.
 */
export function synchronousReadsSupported(): boolean {
  try {
    return engine().backendName !== 'webgpu';
  } catch {
    return true;
  }
}
