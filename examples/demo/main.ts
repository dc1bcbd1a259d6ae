// Placeholder end-to-end demo; extended by each module.
import * as tf from '@tensorflow/tfjs-core';
import { seededRng, lineChartSvg } from 'responsible-tfjs';
import { loadDigits } from '../shared/data.js';
import { setupBackend } from '../shared/backend.js';

const backend = await setupBackend();
const { train, test } = loadDigits();
console.log(backend, train.n, test.n, seededRng(1).next(), lineChartSvg([{ label: 'a', x: [1, 2], y: [1, 2] }], { title: 't' }).length, tf.memory().numTensors);
