/**
 * responsible-tfjs: responsible machine learning for TensorFlow.js.
 *
 * The root entry re-exports every domain; import a subpath (`responsible-tfjs/privacy`,
 * `/robustness`, `/fairness`, `/compression`, `/objectives`) to pull in only that domain.
 * @packageDocumentation
 */
export * from './core/index.js';
export * from './privacy/index.js';
export * from './robustness/index.js';
export * from './fairness/index.js';
export * from './compression/index.js';
export * from './objectives/index.js';
