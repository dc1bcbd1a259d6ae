/**
 * Everything in one import. The root entry re-exports all of
 * {@link "responsible-tfjs/privacy"! | responsible-tfjs/privacy},
 * {@link "responsible-tfjs/robustness"! | /robustness},
 * {@link "responsible-tfjs/fairness"! | /fairness},
 * {@link "responsible-tfjs/compression"! | /compression},
 * {@link "responsible-tfjs/objectives"! | /objectives},
 * {@link "responsible-tfjs/explain"! | /explain},
 * {@link "responsible-tfjs/audit"! | /audit},
 * {@link "responsible-tfjs/sustainability"! | /sustainability} and
 * {@link "responsible-tfjs/federated"! | /federated} (each documented on its own page, under the
 * subpath that imports only that domain), and adds the shared core: the typed errors every module
 * throws ({@link ResponsibleError} and its subclasses, e.g. {@link InvalidArgumentError},
 * {@link MissingGradientsError} and {@link NoBackendError}), the random-number sources
 * ({@link seededRng} for reproducible statistics, {@link secureRng} for privacy noise), the
 * {@link ModelLike} and {@link LabelsLike} input types, and the small SVG chart writers
 * ({@link lineChartSvg}, {@link barChartSvg}). Start with the
 * [getting-started guide](../docs/getting-started.md).
 * @module responsible-tfjs
 */
export * from './core/index.js';
export * from './privacy/index.js';
export * from './robustness/index.js';
export * from './fairness/index.js';
export * from './compression/index.js';
export * from './objectives/index.js';
export * from './explain/index.js';
export * from './audit/index.js';
export * from './sustainability/index.js';
export * from './federated/index.js';
