/**
 * Stable machine-readable codes carried by every error this library throws.
 *
 * @example
 * ```ts
 * import { ResponsibleError } from 'responsible-tfjs';
 * try { doSomething(); } catch (e) {
 *   if (e instanceof ResponsibleError && e.code === 'INVALID_ARGUMENT') console.error(e.message);
 * }
 * ```
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED_EVENT'
  | 'UNSUPPORTED_LAYER'
  | 'PRIVACY_BUDGET_EXCEEDED'
  | 'MISSING_GRADIENTS'
  | 'NOT_CONVERGED'
  | 'ABORTED'
  | 'NO_BACKEND'
  | 'SECURE_AGGREGATION_ABORTED'
  | 'FEDERATED_RUNTIME';

/**
 * Base class of every error thrown by responsible-tfjs. Catch it to handle all of them.
 *
 * @example
 * ```ts
 * import { ResponsibleError, gaussianSigma } from 'responsible-tfjs';
 * try {
 *   gaussianSigma({ epsilon: -1, delta: 1e-5, sensitivity: 1 });
 * } catch (e) {
 *   console.log(e instanceof ResponsibleError, (e as ResponsibleError).code); // true 'INVALID_ARGUMENT'
 * }
 * ```
 */
export class ResponsibleError extends Error {
  /** Stable code, safe to branch on (messages may be reworded). */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * An argument is outside what a function accepts. The message names the function, the argument,
 * the value received and what is allowed; the same facts are available as fields.
 *
 * @example
 * ```ts
 * import { InvalidArgumentError } from 'responsible-tfjs';
 * const err = new InvalidArgumentError({
 *   fn: 'laplaceMechanism', argument: 'epsilon', value: 0, allowed: 'a finite number > 0',
 * });
 * console.log(err.message);
 * // laplaceMechanism: argument 'epsilon' must be a finite number > 0, got 0
 * ```
 */
export class InvalidArgumentError extends ResponsibleError {
  /** The function whose argument was rejected. */
  readonly fn: string;
  /** The argument's name, with a path for nested options (e.g. `options.epsilon`). */
  readonly argument: string;
  /** The rejected value (as received). */
  readonly value: unknown;
  /** What the argument may be. */
  readonly allowed: string;
  constructor(details: { fn: string; argument: string; value: unknown; allowed: string; hint?: string }) {
    const hint = details.hint !== undefined ? `. ${details.hint}` : '';
    super(
      'INVALID_ARGUMENT',
      `${details.fn}: argument '${details.argument}' must be ${details.allowed}, got ${describeValue(details.value)}${hint}`,
    );
    this.fn = details.fn;
    this.argument = details.argument;
    this.value = details.value;
    this.allowed = details.allowed;
  }
}

/**
 * Gradients that a function needs are not registered with tfjs. `@tensorflow/tfjs-core` alone
 * registers no gradient functions; importing `@tensorflow/tfjs-layers` (or `@tensorflow/tfjs`) does.
 *
 * @example
 * ```ts
 * import { MissingGradientsError } from 'responsible-tfjs';
 * const err = new MissingGradientsError('fgsm', ['Sum']);
 * console.log(err.code); // 'MISSING_GRADIENTS'
 * ```
 */
export class MissingGradientsError extends ResponsibleError {
  /** Kernel names whose gradients are missing. */
  readonly kernels: readonly string[];
  constructor(fn: string, kernels: readonly string[]) {
    super(
      'MISSING_GRADIENTS',
      `${fn}: tfjs has no gradient registered for ${kernels.join(', ')}. ` +
        `Import '@tensorflow/tfjs-layers' (or '@tensorflow/tfjs') once in your program before calling it: ` +
        `'@tensorflow/tfjs-core' alone registers no gradients.`,
    );
    this.kernels = kernels;
  }
}

/**
 * A long-running function (training, an attack over many batches) was stopped through the
 * `AbortSignal` passed as its `signal` option. Everything it created has been disposed; work
 * already applied (weights updated by finished steps, privacy already spent) stays applied.
 *
 * @example
 * ```ts
 * import { AbortedError } from 'responsible-tfjs';
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 1000);
 * try {
 *   await fitPrivately(model, x, y, { ...options, signal: controller.signal });
 * } catch (e) {
 *   if (e instanceof AbortedError) console.log('stopped by the user after', e.fn);
 * }
 * ```
 */
export class AbortedError extends ResponsibleError {
  /** The function that was stopped. */
  readonly fn: string;
  /** The signal's `reason`, as given to `AbortController.abort(reason)`. */
  readonly reason: unknown;
  /**
   * Builds the error and its message.
   * @param fn - The stopped function.
   * @param reason - The abort reason, if any.
   */
  constructor(fn: string, reason?: unknown) {
    super('ABORTED', `${fn}: stopped by its AbortSignal${reason === undefined ? '' : ` (${describeValue(reason)})`}`);
    this.fn = fn;
    this.reason = reason;
  }
}

/**
 * No TensorFlow.js backend is registered, so no tensor can be made. `@tensorflow/tfjs-core` (which
 * this library uses) registers none; the program must import one once, before calling the library.
 *
 * @example
 * ```ts
 * import { NoBackendError } from 'responsible-tfjs';
 * import { dequantize, quantizeArray } from 'responsible-tfjs/compression';
 * // quantizeArray works on plain arrays; dequantize makes a tensor, so it needs a backend.
 * const q = quantizeArray(new Float32Array([0.5, -1]), [2], { dtype: 'int8' });
 * try {
 *   dequantize(q);
 * } catch (e) {
 *   // 'NO_BACKEND', and a message naming the packages to import
 *   if (e instanceof NoBackendError) console.error(e.code, e.message);
 * }
 * // The fix belongs to the application, once at program start: import a backend package
 * // (cpu, wasm, webgl or webgpu), select it, and await tf.ready() (some start asynchronously).
 * ```
 */
export class NoBackendError extends ResponsibleError {
  /** The function that needed a backend. */
  readonly fn: string;
  /**
   * Builds the error and its message.
   * @param fn - The public function that needed a backend.
   */
  constructor(fn: string) {
    super(
      'NO_BACKEND',
      `${fn}: no TensorFlow.js backend is registered. Import one once in your program before calling it: ` +
        `'@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgl', ` +
        `'@tensorflow/tfjs-backend-webgpu', or '@tensorflow/tfjs' (which registers cpu and webgl); then ` +
        `select it with tfjs's backend selection and await tf.ready() (wasm, webgl and webgpu start asynchronously).`,
    );
    this.fn = fn;
  }
}

/** Short, bounded rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return value.length > 6 ? `array of length ${value.length}` : `[${value.map(describeValue).join(', ')}]`;
  // The built-in tag ('Float32Array'), not a constructor's name, which bundlers may rename.
  if (ArrayBuffer.isView(value)) return `${Object.prototype.toString.call(value).slice(8, -1)} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  if (typeof value === 'object' && value !== null && 'shape' in value && 'dtype' in value) {
    const t = value as { shape: number[]; dtype: string };
    return `Tensor(${t.dtype}, [${t.shape.join(', ')}])`;
  }
  if (typeof value === 'function') return 'a function';
  return Object.prototype.toString.call(value);
}
