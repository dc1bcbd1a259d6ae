/**
 * Builds the two reference digits models (models.json, weights already in tfjs layers layout)
 * as tfjs-layers models.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { buildReferenceModel, type ReferenceModelName, type ReferenceModelSpec } from '../helpers/referenceModels.js';
import models from '../fixtures/robustness/models.json';

export type { ReferenceModelName } from '../helpers/referenceModels.js';

/** A Sequential model with the architecture and weights of the named reference model. */
export function referenceModel(name: ReferenceModelName): tfl.Sequential {
  return buildReferenceModel(models[name] as unknown as ReferenceModelSpec);
}

/** Input shape of one example, without the batch dimension. */
export function referenceInputShape(name: ReferenceModelName): number[] {
  return name === 'mlp' ? [64] : [8, 8, 1];
}
