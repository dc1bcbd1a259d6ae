#!/usr/bin/env node
// The package as users install it: pack the built package (what `npm publish` would ship), check its
// types resolve under every TypeScript resolution mode (attw: node10, node16 CJS/ESM, bundler), then
// install the tarball's files into a scratch folder and use them from ESM and CommonJS: an error's
// function name must survive bundling and minification of class names.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.ci-out', 'pack');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });

// `npm pack` runs `prepack` (the build) unless scripts are skipped; CI has just built.
const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out]));
const tarball = join(out, packed[0].filename);
const files = packed[0].files.map((f) => f.path);
for (const required of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/privacy/index.d.ts', 'dist/privacy/index.d.cts', 'dist/explain/index.js', 'dist/explain/index.d.ts', 'README.md']) {
  if (!files.includes(required)) throw new Error(`the packed package lacks ${required}`);
}
console.log(`packed ${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(0)} KiB`);

run('npx', ['attw', tarball, '--profile', 'strict', '--format', 'table-flipped'], { stdio: 'inherit' });

// Install the tarball's contents; dependencies resolve from the repository's node_modules above.
const installed = join(out, 'node_modules', 'responsible-tfjs');
mkdirSync(installed, { recursive: true });
run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
if (!readdirSync(installed).includes('dist')) throw new Error('the tarball has no dist/');

const check = `
  const expectError = (f, fnName, argument) => {
    try { f(); } catch (e) {
      if (e.fn !== fnName) throw new Error('error fn is ' + JSON.stringify(e.fn) + ', expected ' + JSON.stringify(fnName));
      if (!e.message.startsWith(fnName + ': ')) throw new Error('message does not start with the function name: ' + e.message);
      if (argument !== undefined && e.argument !== argument) throw new Error('argument ' + e.argument);
      if (e.code !== 'INVALID_ARGUMENT') throw new Error('code ' + e.code);
      if (e.name !== 'InvalidArgumentError') throw new Error('error name ' + e.name);
      return e.name;
    }
    throw new Error(fnName + ' did not throw');
  };
  expectError(() => new privacy.RdpAccountant().getEpsilon(2), 'RdpAccountant.getEpsilon', 'delta');
  expectError(() => new privacy.PldAccountant().step({ noiseMultiplier: -1, sampleRate: 0.1 }), 'PldAccountant.step', 'params.noiseMultiplier');
  expectError(() => new privacy.PrivacyBudget({ epsilon: -1, delta: 1e-5 }), 'PrivacyBudget', 'options.epsilon');
  if (!(new privacy.RdpAccountant().step({ noiseMultiplier: 1.5, sampleRate: 0.04 }, 2250).getEpsilon(1e-5) > 7.3)) throw new Error('epsilon');
  // The event vocabulary and the neighbouring relation from the built files: a replaced record is
  // twice a record's contribution away in both accountants, and a non-private event costs Infinity.
  for (const kind of ['rdp', 'pld']) {
    const replace = privacy.createAccountant(kind, { neighboringRelation: 'replaceOne' }).compose(privacy.gaussianEvent(4), 10).getEpsilon(1e-6);
    const half = privacy.createAccountant(kind).compose(privacy.gaussianEvent(2), 10).getEpsilon(1e-6);
    if (!(Math.abs(replace - half) <= 1e-3 * half)) throw new Error(kind + ': replaceOne ' + replace + ' vs add/remove at half the noise ' + half);
    if (privacy.createAccountant(kind).compose(privacy.nonPrivateEvent()).getEpsilon(1e-6) !== Infinity) throw new Error(kind + ': nonPrivate');
    if (privacy.createAccountant(kind).step({ noiseMultiplier: 1, sampleRate: 0 }, 100).getEpsilon(1e-6) !== 0) throw new Error(kind + ': rate 0');
  }
  if (new privacy.RdpAccountant().supports(privacy.randomizedResponseEvent(0.5, 2))) throw new Error('RR is replace-one only');
  expectError(() => privacy.createAccountant('rdp', { neighboringRelation: 'replaceSpecial' }), 'createAccountant', 'options.neighboringRelation');
  expectError(() => explain.attributionBarChartSvg([1, NaN], ['a', 'b']), 'attributionBarChartSvg', 'values[1]');
`;
// The explanations reach into tfjs-layers' layer objects (activations swapped, Dense and Conv2D
// unfused while differentiating): from the installed dist, saliency on a conv model with a separate
// ReLU layer must equal tf.grad of the same network written as a function, and leave the model as it was.
const explainCheck = `
  await import('@tensorflow/tfjs-backend-cpu');
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  const model = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [5, 5, 1], filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
    tfl.layers.activation({ activation: 'relu' }), tfl.layers.flatten(),
    tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }) ] });
  const x = tf.randomUniform([3, 5, 5, 1], 0, 1, 'float32', 3);
  const before = model.predict(x).dataSync();
  const { attributions } = await explain.saliency(model, x, { target: [0, 1, 2], abs: false });
  const mask = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 4);
  const expected = tf.grad((xi) => tf.sum(tf.mul(model.apply(xi), mask)))(x);
  const gap = tf.max(tf.abs(tf.sub(attributions, expected))).dataSync()[0];
  if (!(gap < 1e-5)) throw new Error('saliency from the installed dist differs from tf.grad by ' + gap);
  const after = model.predict(x).dataSync();
  if (after.some((v, i) => v !== before[i])) throw new Error('the model changed after an explanation');
  if (model.layers.some((l) => Object.prototype.hasOwnProperty.call(l, 'call'))) throw new Error('a swapped call was left on a layer');
  // The sequence-layer rules from the installed dist (they dispatch on tfjs class names and cell
  // classes): per-example gradients of Conv1D, LSTM and GRU models equal tfjs's autodiff per example.
  for (const [name, layers] of [
    ['Conv1D', [tfl.layers.conv1d({ inputShape: [6, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), tfl.layers.flatten()]],
    ['LSTM', [tfl.layers.lstm({ inputShape: [5, 3], units: 4, recurrentInitializer: 'glorotUniform', returnSequences: true }), tfl.layers.flatten()]],
    ['GRU', [tfl.layers.gru({ inputShape: [5, 3], units: 4, recurrentInitializer: 'glorotUniform' })]],
  ]) {
    const seq = tfl.sequential({ layers: [...layers, tfl.layers.dense({ units: 3, activation: 'softmax' })] });
    const xs = tf.randomNormal([4, ...seq.inputs[0].shape.slice(1)], 0, 1, 'float32', 7);
    const check = await privacy.checkPerExampleGradients(seq, xs, [0, 1, 2, 1]);
    if (!check.ok) throw new Error(name + ' per-example gradients from the installed dist are off by ' + check.maxError);
  }
`;
// AutoAttack from the installed dist: a linear model, APGD-CE then the black-box Square; the
// adversarial inputs stay in the ball and the box, and robust accuracy cannot exceed clean accuracy.
const robustnessCheck = `
  const w = tf.randomNormal([16, 3], 0, 1, 'float32', 5);
  const linear = (xi) => tf.matMul(xi, w);
  const xr = tf.randomUniform([20, 16], 0, 1, 'float32', 6);
  const yr = Array.from(tf.argMax(linear(xr), 1).dataSync());
  const aa = await robustness.autoAttack(linear, xr, yr, { epsilon: 0.1, version: ['apgd-ce', 'square'], steps: 10, queries: 50 });
  const moved = tf.max(tf.abs(tf.sub(aa.adversarial, xr))).dataSync()[0];
  if (!(moved <= 0.1 + 1e-6) || !(aa.robustAccuracy <= aa.cleanAccuracy) || aa.log.length !== 2) throw new Error('autoAttack from the installed dist');
  if (!(aa.robustAccuracy < 1)) throw new Error('autoAttack broke nothing on a linear model at eps 0.1');
  try { await robustness.apgd(linear, xr, yr, { epsilon: -1 }); throw new Error('apgd did not throw'); }
  catch (e) { if (e.name !== 'InvalidArgumentError' || e.argument !== 'options.epsilon') throw e; }
`;
// The audit module from the installed dist: the one-run bound's pure-DP closed form, a white-box
// audit of a noiseless aggregation (every guess right), and membership scores of a linear model.
const auditCheck = `
  const q = Math.pow(0.05, 1 / 40);
  const closed = Math.log(q / (1 - q));
  const lb = audit.oneRunEpsilonLowerBound({ canaries: 100, guesses: 40, correct: 40 });
  if (!(Math.abs(lb - closed) < 1e-9 * closed)) throw new Error('oneRunEpsilonLowerBound from the installed dist: ' + lb + ' vs ' + closed);
  const wb = await audit.auditPrivatizer((g) => tf.sum(g, 0), { canaries: 50, steps: 20, sampleRate: 0.3, positiveGuesses: 10, negativeGuesses: 10 });
  if (wb.correct !== 20 || !(Math.abs(wb.epsilonLowerBound - wb.maxCertifiableEpsilon) < 1e-12)) throw new Error('auditPrivatizer from the installed dist');
  const wa = tf.randomNormal([6, 3], 0, 1, 'float32', 7);
  const scores = await audit.membershipScores((xi) => tf.matMul(xi, wa), tf.randomUniform([5, 6], 0, 1, 'float32', 8), [0, 1, 2, 0, 1], { score: 'loss' });
  if (scores.length !== 5 || scores.some((v) => !(v <= 0))) throw new Error('membershipScores from the installed dist');
  try { audit.tprAtFpr(audit.rocCurve([1, 0], [1, 0]), 1); throw new Error('tprAtFpr did not throw'); }
  catch (e) { if (e.name !== 'InvalidArgumentError') throw e; }
`;
// The sustainability module from the installed dist: hand-countable MACs of a dense model, a
// measured latency, and a footprint row built from them.
const sustainabilityCheck = `
  const dense = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 4, kernelInitializer: 'ones' })] });
  const ops = await sustainability.countOperations(dense, { batchSize: 3 });
  if (ops.total.macs !== 72 || ops.total.parameters !== 28) throw new Error('countOperations from the installed dist: ' + ops.total.macs + ' MACs, ' + ops.total.parameters + ' parameters');
  const timing = await sustainability.measureInference(dense, tf.ones([3, 6]), { warmup: 1, runs: 3 });
  const fp = sustainability.footprintReport([{ name: 'dense', accuracy: 1, operations: ops, latency: timing }]);
  if (fp.rows[0].macsPerExample !== 24 || !(fp.rows[0].msPerExample > 0)) throw new Error('footprintReport from the installed dist');
`;
// The federated module from the installed dist: a DP + secure aggregation simulation, the secure
// sum with a dropout, a typed error, and a networked run (coordinator and clients over ws) that
// equals the simulator.
const federatedCheck = `
  const fm = () => tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, kernelInitializer: 'zeros' })] });
  const fclients = [0, 1, 2].map((c) => ({ x: tf.fill([4, 3], c + 1), y: tf.tensor1d([0, 1, 0, c % 2], 'int32') }));
  const fbase = { rounds: 2, clientLearningRate: 0.1, batchSize: 2, sampling: { method: 'uniform', clientsPerRound: 3 }, seed: 'pkg' };
  const fdp = await federated.simulateFederated({ ...fbase, model: fm(), clients: fclients,
    privacy: { noiseMultiplier: 0.5, clipping: { clipNorm: 1 }, noise: 'distributed', delta: 1e-3 }, secureAggregation: {} });
  if (fdp.rounds.length !== 2 || !(fdp.privacy.epsilon > 0 && Number.isFinite(fdp.privacy.epsilon))) throw new Error('simulateFederated from the installed dist');
  const secure = await federated.runSecAggInProcess({ inputs: [new Uint32Array([1, 2]), new Uint32Array([3, 4]), new Uint32Array([5, 0xffffffff])], threshold: 2, dropouts: [{ phase: 'advertiseKeys', clients: [2] }] });
  if (secure.sum[0] !== 4 || secure.sum[1] !== 6 || secure.included.join() !== '0,1') throw new Error('runSecAggInProcess from the installed dist');
  expectError(() => federated.clipUpdate(new Float32Array([Number.NaN]), { clipNorm: 1 }), 'clipUpdate');
  const { WebSocketServer, WebSocket } = await import('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const ids = ['a', 'b', 'c'];
  const fserver = federated.federatedServerDriver({ ...fbase, initialWeights: (await federated.readWeights(fm())).values, population: ids });
  const coordinator = federated.startCoordinator({ server: wss, driver: fserver, authenticate: (id, token) => token === 'k-' + id, minClients: 3, phaseTimeoutMs: 20000 });
  const fclientRuns = ids.map((id, i) => federated.runClient({ url: 'ws://127.0.0.1:' + wss.address().port, clientId: id, token: 'k-' + id, WebSocket,
    driver: federated.federatedClientDriver({ ...fbase, model: fm(), x: fclients[i].x, y: fclients[i].y, numClients: 3 }) }));
  await coordinator.done;
  await Promise.all(fclientRuns);
  await new Promise((r) => wss.close(r));
  const fsim = await federated.simulateFederated({ ...fbase, model: fm(), clients: fclients });
  if (fserver.state.weights.join() !== fsim.state.weights.join()) throw new Error('networked federated run differs from the simulator');
`;
writeFileSync(join(out, 'check.mjs'), `import * as privacy from 'responsible-tfjs/privacy';\nimport * as explain from 'responsible-tfjs/explain';\nimport * as robustness from 'responsible-tfjs/robustness';\nimport * as audit from 'responsible-tfjs/audit';\nimport * as sustainability from 'responsible-tfjs/sustainability';\nimport * as federated from 'responsible-tfjs/federated';\nimport * as tf from '@tensorflow/tfjs-core';\nimport * as tfl from '@tensorflow/tfjs-layers';\n${check}\n${explainCheck}\n${robustnessCheck}\n${auditCheck}\n${sustainabilityCheck}\n${federatedCheck}\nconsole.log('ESM: error names survive bundling; explanations, AutoAttack, audits, footprints and federated runs (simulated, secure, networked) work from the installed dist');\n`);
writeFileSync(join(out, 'check.cjs'), `const privacy = require('responsible-tfjs/privacy');\nconst explain = require('responsible-tfjs/explain');\n${check}\nconsole.log('CommonJS: error names survive bundling');\n`);
run('node', [join(out, 'check.mjs')], { cwd: out, stdio: 'inherit' });
run('node', [join(out, 'check.cjs')], { cwd: out, stdio: 'inherit' });
console.log('package check passed');
