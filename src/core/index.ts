// The public part of core, re-exported by the root entry `responsible-tfjs`. Internal helpers
// (label conversion, model wrapping, gradient and backend checks) are imported from their own
// files by the modules that need them and are not part of the public surface.
export {
  ResponsibleError, InvalidArgumentError, MissingGradientsError, AbortedError, NoBackendError, type ErrorCode,
} from './errors.js';
export { seededRng, secureRng, rngFromFunction, tensorSeed, shuffledIndices, type Rng } from './rng.js';
export type { ModelLike } from './model.js';
export type { LabelsLike } from './labels.js';
export { lineChartSvg, barChartSvg, type LineSeries, type BarChartData, type ChartOptions } from './svg.js';
