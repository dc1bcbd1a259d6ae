import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { crossEntropyTerm, distillationTerm, ethicalLoss } from '../../src/objectives/index.js';
import { distillationLoss } from '../../src/sustainability/distillation/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';

function dense(units: number, seed: number, activation?: 'softmax'): tfl.Sequential {
  return tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [5], units, kernelInitializer: tfl.initializers.glorotUniform({ seed }), ...(activation ? { activation } : {}) })],
  });
}

async function scalarValue(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
}

describeBackends('distillationTerm', () => {
  const rng = seededRng(3);
  const X = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => 2 * rng.next() - 1));
  const Y = [0, 1, 2, 0, 1, 2];

  it('as the task, equals distillationLoss on the same logits (teacher returning logits or probabilities)', async () => {
    const x = tf.tensor2d(X);
    const student = dense(3, 1);
    for (const softmaxTeacher of [false, true]) {
      const teacher = dense(3, 2, softmaxTeacher ? 'softmax' : undefined);
      const loss = ethicalLoss({ model: student, task: distillationTerm({ teacher, temperature: 3, alpha: 0.7 }), weights: {} });
      await loss.setBatch({ x, y: Y });
      const got = await scalarValue(loss());
      // A softmax teacher's probabilities enter as log-probabilities (logits up to a per-row constant).
      const expected = await scalarValue(tf.tidy(() => {
        const t = teacher.predict(x) as tf.Tensor;
        return distillationLoss(student.predict(x) as tf.Tensor, softmaxTeacher ? tf.log(t) : t, Y, { temperature: 3, alpha: 0.7 });
      }));
      expect(Math.abs(got - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
      loss.dispose();
    }
    x.dispose();
  });

  it('with alpha 1 beside a cross-entropy task: its recorded value is the soft term; the weight comes from ethicalLoss', async () => {
    const x = tf.tensor2d(X);
    const student = dense(3, 3);
    const teacher = dense(3, 4);
    const loss = ethicalLoss({
      model: student, task: crossEntropyTerm(), terms: [distillationTerm({ teacher, alpha: 1, name: 'kd' })], weights: { kd: 2 },
    });
    await loss.setBatch({ x, y: Y });
    const total = await scalarValue(loss());
    const values = await loss.lastValues();
    const soft = await scalarValue(tf.tidy(() => distillationLoss(student.predict(x) as tf.Tensor, teacher.predict(x) as tf.Tensor, undefined, { alpha: 1 })));
    expect(Math.abs(values.kd! - soft)).toBeLessThan(1e-5 * Math.max(1, soft));
    expect(Math.abs(total - (values.task! + 2 * values.kd!))).toBeLessThan(1e-5 * Math.max(1, total));
    loss.dispose();
    x.dispose();
  });

  it('trains through ethicalLoss.step (the teacher untouched) and leaks no tensors', async () => {
    const x = tf.tensor2d(X);
    const student = dense(3, 5);
    const teacher = dense(3, 6);
    const teacherKernel = teacher.getWeights()[0]!.arraySync();
    const optimizer = tf.train.sgd(0.5);
    const loss = ethicalLoss({ model: student, task: distillationTerm({ teacher, alpha: 1 }), weights: {} });
    await loss.setBatch({ x, y: Y });
    const first = (await loss.step(optimizer)).total;
    let last = first;
    for (let i = 0; i < 30; i++) last = (await loss.step(optimizer)).total;
    expect(last).toBeLessThan(0.5 * first);
    expect(teacher.getWeights()[0]!.arraySync()).toEqual(teacherKernel);
    await expectNoLeaks(() => loss());
    loss.dispose();
    await expectNoLeaks(async () => {
      const l = ethicalLoss({ model: student, task: distillationTerm({ teacher, temperature: 2, alpha: 0.5 }), weights: {} });
      await l.setBatch({ x, y: Y });
      await l.step(optimizer);
      l.dispose();
    });
    optimizer.dispose();
    x.dispose();
  });

  it('typed errors: options, temperature, alpha, and a teacher with other classes', async () => {
    const teacher = dense(3, 7);
    const fn = 'distillationTerm';
    expectInvalidArgument(() => distillationTerm({ teacher, temperature: 0 }), fn, 'options.temperature', /> 0/);
    expectInvalidArgument(() => distillationTerm({ teacher, alpha: 2 }), fn, 'options.alpha', /\[0, 1\]/);
    expectInvalidArgument(() => distillationTerm({} as never), fn, 'options.teacher', /LayersModel/);
    expectInvalidArgument(() => distillationTerm({ teacher: 'teacher' as never }), fn, 'options.teacher', /LayersModel/);
    expectInvalidArgument(() => distillationTerm({ teacher, name: '' }), fn, 'options.name', /non-empty/);
    const x = tf.tensor2d(X);
    const loss = ethicalLoss({ model: dense(4, 8), task: distillationTerm({ teacher }), weights: {} });
    await loss.setBatch({ x, y: Y });
    expectInvalidArgument(() => loss(), fn, 'options.teacher', /student's shape \[6, 4\]/);
    loss.dispose();
    x.dispose();
  });
});
