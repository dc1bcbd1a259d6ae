/** The registry of per-example gradient rules, by tfjs class name (internal). */
import { conv2dRule } from './conv2d.js';
import { denseRule } from './dense.js';
import { depthwiseConv2dRule } from './depthwiseConv2d.js';
import { embeddingRule } from './embedding.js';
import { layerNormalizationRule } from './layerNormalization.js';
import type { LayerRule } from './rule.js';

export const LAYER_RULES: Readonly<Record<string, LayerRule>> = {
  Dense: denseRule,
  Conv2D: conv2dRule,
  DepthwiseConv2D: depthwiseConv2dRule,
  Embedding: embeddingRule,
  LayerNormalization: layerNormalizationRule,
};

export type { LayerRule, LayerCall } from './rule.js';
