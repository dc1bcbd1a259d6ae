/**
 * Backend selection for the examples: wasm by default (10-30x faster than cpu in Node), or
 * `--backend cpu|wasm` / RTF_BACKEND. A user with tfjs-node would import '@tensorflow/tfjs-node'
 * here instead and pass 'tensorflow'.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

export async function setupBackend(defaultBackend: 'cpu' | 'wasm' = 'wasm'): Promise<string> {
  const i = process.argv.indexOf('--backend');
  const name = (i >= 0 ? process.argv[i + 1] : process.env.RTF_BACKEND) ?? defaultBackend;
  tf.env().set('PROD', true);
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else throw new Error(`unknown backend ${name}: use cpu or wasm`);
  await tf.setBackend(name);
  await tf.ready();
  return name;
}
