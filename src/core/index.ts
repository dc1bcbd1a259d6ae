export { ResponsibleError, InvalidArgumentError, MissingGradientsError, AbortedError, type ErrorCode } from './errors.js';
export { seededRng, secureRng, rngFromFunction, tensorSeed, shuffledIndices, type Rng } from './rng.js';
export { assertGradientsAvailable } from './gradients.js';
export { toForwardFn, type ModelLike } from './model.js';
export { toOneHot, toClassIndices, type LabelsLike } from './labels.js';
export { lineChartSvg, barChartSvg, type LineSeries, type BarChartData, type ChartOptions } from './svg.js';
