/**
 * The configurations federated-digits compares. Every client trains 2 local epochs of SGD
 * (learning rate 0.1, batch 8); about 10 of the 100 clients take part in each round.
 */
import type { Variant } from './experiment.js';

const local = { localEpochs: 2, batchSize: 8, clientLearningRate: 0.1 } as const;
const poisson = { method: 'poisson', sampleRate: 0.1 } as const;
/** User-level DP: noise multiplier for the whole round's release, adaptive clipping at the median. */
export const DELTA = 1e-3;
const privacy = {
  noiseMultiplier: 1,
  clipping: { adaptive: { initialClipNorm: 1, targetQuantile: 0.5, learningRate: 0.2, clippedCountStddev: 1 } },
  delta: DELTA,
} as const;

export const ACCURACY_VARIANTS: readonly Variant[] = [
  { name: 'FedAvg', options: { ...local, sampling: poisson } },
  { name: 'FedAdam', options: { ...local, sampling: poisson, serverOptimizer: { kind: 'fedAdam', learningRate: 0.02, tau: 1e-3 } } },
  { name: 'DP-FedAvg (central noise)', options: { ...local, sampling: poisson, privacy } },
  {
    name: 'DP-FedAvg + SecAgg (distributed noise)',
    options: { ...local, sampling: poisson, privacy: { ...privacy, noise: 'distributed', minSurvivingClients: 8 }, secureAggregation: { thresholdFraction: 0.6 } },
  },
];

export const COMPRESSION_VARIANTS: readonly Variant[] = [
  { name: 'int8', options: { ...local, sampling: poisson, compression: { method: 'int8' } } },
  { name: 'top-10% + error feedback', options: { ...local, sampling: poisson, compression: { method: 'topK', fraction: 0.1, errorFeedback: true } } },
  {
    name: 'SecAgg + shared random-25%',
    options: { ...local, sampling: poisson, secureAggregation: { maxAbsValue: 1024 }, compression: { method: 'randomK', fraction: 0.25, errorFeedback: true } },
  },
];
