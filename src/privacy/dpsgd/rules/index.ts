/** The registry of per-example gradient rules, by tfjs class name (internal). */
import { conv1dRule } from './conv1d.js';
import { conv2dRule } from './conv2d.js';
import { denseRule } from './dense.js';
import { depthwiseConv2dRule } from './depthwiseConv2d.js';
import { embeddingRule } from './embedding.js';
import { gruRule } from './gru.js';
import { layerNormalizationRule } from './layerNormalization.js';
import { lstmRule } from './lstm.js';
import { genericRnnRule } from './recurrent.js';
import { separableConv2dRule } from './separableConv2d.js';
import type { LayerRule } from './rule.js';
import { simpleRnnRule } from './simpleRnn.js';

export const LAYER_RULES: Readonly<Record<string, LayerRule>> = {
  Dense: denseRule,
  Conv1D: conv1dRule,
  Conv2D: conv2dRule,
  DepthwiseConv2D: depthwiseConv2dRule,
  SeparableConv2D: separableConv2dRule,
  Embedding: embeddingRule,
  LayerNormalization: layerNormalizationRule,
  SimpleRNN: simpleRnnRule,
  LSTM: lstmRule,
  GRU: gruRule,
  RNN: /* @__PURE__ */ genericRnnRule({ SimpleRNNCell: simpleRnnRule, LSTMCell: lstmRule, GRUCell: gruRule }),
};

export type { LayerRule, LayerCall } from './rule.js';
