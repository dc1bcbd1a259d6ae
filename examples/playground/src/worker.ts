/**
 * The Web Worker that runs every task, so that the page never freezes. It keeps the data sets and
 * the last privately trained model, runs one task at a time in the order asked, and stops a task
 * when the page cancels it (through the library's AbortSignal support).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { AbortedError } from 'responsible-tfjs';
import { encodeAdult, parseAdultRows, parseDigits, type AdultEncoded, type DigitsSplit } from '../../shared/datasets.js';
import { chooseBackend } from './backend.js';
import type { Reply, Request, TrainingSummary } from './protocol.js';
import { compressModel } from './tasks/compression.js';
import { explainDigit } from './tasks/explanation.js';
import { fairnessByGroup } from './tasks/fairness.js';
import { trainPrivately } from './tasks/privateTraining.js';
import { robustnessCurve } from './tasks/robustness.js';

const scope = self as unknown as {
  postMessage(message: Reply): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
};
const post = (reply: Reply): void => scope.postMessage(reply);

let dataBase = '';
let digits: Promise<{ train: DigitsSplit; test: DigitsSplit }> | undefined;
let adult: Promise<{ train: AdultEncoded; test: AdultEncoded }> | undefined;
let model: tfl.LayersModel | undefined;
let queue: Promise<void> = Promise.resolve();
const controllers = new Map<number, AbortController>();

async function fetchText(name: string): Promise<string> {
  const response = await fetch(new URL(name, dataBase));
  if (!response.ok) throw new Error(`could not load ${name}: HTTP ${response.status}`);
  return response.text();
}
const loadDigits = () => (digits ??= fetchText('digits.csv').then(parseDigits));
const loadAdult = () => (adult ??= fetchText('adult.csv').then((text) => encodeAdult(parseAdultRows(text))));

function trainedModel(): tfl.LayersModel {
  if (!model) throw new Error('train a model in the private training panel first');
  return model;
}

async function run(request: Extract<Request, { type: 'run' }>, signal: AbortSignal): Promise<unknown> {
  const onProgress = (p: { fraction: number; message: string; point?: unknown }): void =>
    post({ type: 'progress', id: request.id, fraction: p.fraction, message: p.message, point: p.point });
  const control = { onProgress, signal };
  switch (request.task) {
    case 'train': {
      const data = await loadDigits();
      const result = await trainPrivately(data, request.settings, control);
      model?.dispose();
      model = result.model;
      const summary: TrainingSummary = {
        noiseMultiplier: result.noiseMultiplier, epsilon: result.epsilon, steps: result.steps,
        testAccuracy: result.testAccuracy, secureNoise: result.secureNoise, history: result.history,
      };
      return summary;
    }
    case 'robustness':
      return robustnessCurve(trainedModel(), (await loadDigits()).test, request.settings, control);
    case 'explain':
      return explainDigit(trainedModel(), (await loadDigits()).test, request.settings, control);
    case 'compress':
      return compressModel(trainedModel(), (await loadDigits()).test, request.settings, control);
    case 'fairness':
      return fairnessByGroup(await loadAdult(), request.settings, control);
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'init') {
    dataBase = request.dataBase;
    chooseBackend(request.backend).then(
      ({ backend, tried }) => post({ type: 'ready', backend, tried, tfjsVersion: tf.version_core }),
      (error: unknown) => post({ type: 'failed', id: -1, error: String(error) }),
    );
  } else if (request.type === 'cancel') {
    controllers.get(request.id)?.abort();
  } else {
    const controller = new AbortController();
    controllers.set(request.id, controller);
    queue = queue.then(async () => {
      try {
        if (controller.signal.aborted) throw new AbortedError(request.task);
        const result = await run(request, controller.signal);
        post({ type: 'done', id: request.id, result });
      } catch (error) {
        if (error instanceof AbortedError) post({ type: 'cancelled', id: request.id });
        else post({ type: 'failed', id: request.id, error: error instanceof Error ? error.message : String(error) });
      } finally {
        controllers.delete(request.id);
      }
    });
  }
};
