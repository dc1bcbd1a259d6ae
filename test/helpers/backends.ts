/**
 * Runs a suite once per backend, in the spirit of tfjs's `describeWithFlags`: cpu and wasm in
 * Node, webgl and webgpu in the browser. RTF_BACKENDS=cpu (comma list) narrows the Node run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe } from 'vitest';

export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

export const IN_BROWSER = typeof window !== 'undefined' && typeof document !== 'undefined';

function envBackends(): BackendName[] | undefined {
  const raw = typeof process !== 'undefined' ? process.env?.RTF_BACKENDS : undefined;
  if (raw === undefined || raw === '') return undefined;
  return raw.split(',').map((s) => s.trim()) as BackendName[];
}

/** Backends this environment tests on. */
export function testBackends(): BackendName[] {
  const fromEnv = envBackends();
  const base: BackendName[] = IN_BROWSER ? ['webgl', 'webgpu'] : ['cpu', 'wasm'];
  return fromEnv === undefined ? base : base.filter((b) => fromEnv.includes(b));
}

const registering = new Map<BackendName, Promise<void>>();

async function registerBackend(name: BackendName): Promise<void> {
  if (!registering.has(name)) {
    registering.set(
      name,
      (async () => {
        if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
        else if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
        else if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
        else await import('@tensorflow/tfjs-backend-webgpu');
      })(),
    );
  }
  await registering.get(name);
}

/** Selects (registering on first use) a backend; silences tfjs's Node banner. */
export async function useBackend(name: BackendName): Promise<void> {
  tf.env().set('PROD', true);
  // Gradients live in tfjs-layers; the library's differentiating functions need them.
  await import('@tensorflow/tfjs-layers');
  await registerBackend(name);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

/** Relative tolerance suited to the backend's float precision (webgl may run at 16-bit). */
export function backendTolerance(name: BackendName): number {
  return name === 'webgl' ? 1e-3 : 1e-5;
}

/**
 * `describe` once per backend; the body receives the backend name. Each file runs in its own
 * vitest worker, so tfjs's global engine is not shared across files.
 */
export function describeBackends(title: string, body: (backend: BackendName) => void, only?: readonly BackendName[]): void {
  for (const backend of testBackends()) {
    if (only !== undefined && !only.includes(backend)) continue;
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      body(backend);
    });
  }
}

/**
 * On webgl, passes shapes as uniforms (tfjs's WEBGL_USE_SHAPES_UNIFORMS) for the enclosing suite and
 * restores the flag afterwards: code whose batch shape changes every step (black-box attacks,
 * audits) otherwise compiles a new shader program per shape, which is slow on SwiftShader.
 */
export function shapeUniformsOnWebgl(backend: BackendName): void {
  let saved: boolean | undefined;
  beforeAll(() => {
    if (backend !== 'webgl') return;
    saved = tf.env().getBool('WEBGL_USE_SHAPES_UNIFORMS');
    tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
  });
  afterAll(() => {
    if (saved !== undefined) tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', saved);
  });
}
