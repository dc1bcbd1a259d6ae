import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Asserts that `fn` leaves no tensors behind. It runs `fn` once to warm lazily created state
 * (backend constants, kernel caches), then checks `tf.memory().numTensors` across a second run.
 * Whatever `fn` returns is disposed by this helper (tensors, arrays and objects of tensors).
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  tf.dispose(collectTensors(await fn()));
  const before = tf.memory().numTensors;
  const result = await fn();
  const returned = collectTensors(result);
  const owned = new Set(returned.map((t) => t.id)).size;
  const after = tf.memory().numTensors;
  expect(after - owned, `tensors leaked: ${after - before - owned}`).toBe(before);
  tf.dispose(returned);
  return result;
}

function collectTensors(value: unknown, out: tf.Tensor[] = [], seen = new Set<unknown>()): tf.Tensor[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    if (!value.isDisposed) out.push(value);
    return out;
  }
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectTensors(v, out, seen);
  return out;
}
