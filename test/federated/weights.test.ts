import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { readWeights } from '../../src/federated/weights/readWeights.js';
import { weightLayoutOf } from '../../src/federated/weights/weightLayoutOf.js';
import { writeWeights } from '../../src/federated/weights/writeWeights.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';

function mlp(hidden = 3): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: hidden, activation: 'relu', inputShape: [4], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tfl.layers.batchNormalization());
  model.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  return model;
}

describeBackends('federated weights', () => {
  it('weightLayoutOf lists trainable weights in order with offsets', () => {
    const model = mlp();
    const layout = weightLayoutOf(model);
    // BatchNormalization's moving statistics are not trainable: gamma and beta only.
    expect(layout.shapes).toEqual([[4, 3], [3], [3], [3], [3, 2], [2]]);
    expect(layout.offsets).toEqual([0, 12, 15, 18, 21, 27, 29]);
    expect(layout.size).toBe(29);
    expect(layout.names).toEqual(model.trainableWeights.map((w) => w.name));
    expect(JSON.parse(JSON.stringify(layout))).toEqual(layout);
    model.dispose();
  });

  it('readWeights reads the values in layout order; writeWeights writes them back exactly; no leaks', async () => {
    const a = mlp();
    const b = mlp();
    const { layout, values } = await readWeights(a);
    expect(values).toBeInstanceOf(Float32Array);
    const direct = (await Promise.all(a.trainableWeights.map((w) => w.read().data()))).flatMap((d) => Array.from(d));
    expect(Array.from(values)).toEqual(direct);
    const changed = values.map((v, i) => v + i * 0.25 + 1e-3);
    await expectNoLeaks(() => writeWeights(b, layout, changed));
    expect((await readWeights(b)).values).toEqual(changed);
    // The model keeps its own copy: changing the array afterwards does nothing.
    changed.fill(7);
    expect((await readWeights(b)).values[0]).not.toBe(7);
    // Extreme finite float32 values round trip.
    const extremes = new Float32Array(layout.size).fill(3.4028234663852886e38);
    extremes[1] = -1.401298464324817e-45;
    writeWeights(b, layout, extremes);
    expect((await readWeights(b)).values).toEqual(extremes);
    await expectNoLeaks(() => readWeights(a));
    a.dispose();
    b.dispose();
  });

  it('refuses a model of another architecture, naming the weight and both shapes, and writes nothing', async () => {
    const server = mlp(3);
    const client = mlp(5);
    const { layout, values } = await readWeights(server);
    const before = (await readWeights(client)).values;
    let error: unknown;
    try {
      writeWeights(client, layout, values);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const err = error as InvalidArgumentError;
    expect(err.fn).toBe('writeWeights');
    expect(err.argument).toBe('layout.shapes[0]');
    expect(err.message).toContain('[4, 5]');          // expected (the client's model)
    expect(err.message).toContain('[4, 3]');          // received (the layout)
    expect(err.message).toContain(client.trainableWeights[0]!.name);
    expect((await readWeights(client)).values).toEqual(before);
    server.dispose();
    client.dispose();
  });

  it('refuses bad layouts and values', async () => {
    const model = mlp();
    const { layout, values } = await readWeights(model);
    const f = 'writeWeights';
    expectInvalidArgument(() => writeWeights(model, layout, values.subarray(1)), f, 'values', /layout.size = 29/);
    expectInvalidArgument(() => writeWeights(model, layout, Array.from(values) as unknown as Float32Array), f, 'values', /Float32Array/);
    const nan = values.slice();
    nan[13] = Number.NaN;
    expectInvalidArgument(() => writeWeights(model, layout, nan), f, 'values[13]', /finite.*belongs to weight/);
    expectInvalidArgument(() => writeWeights(model, { ...layout, shapes: layout.shapes.slice(1) }, values), f, 'layout', /6 trainable weights/);
    expectInvalidArgument(() => writeWeights(model, { ...layout, offsets: [0, 12, 16, 18, 21, 27, 29] }, values), f, 'layout.offsets[2]', /15/);
    expectInvalidArgument(() => writeWeights(model, { ...layout, size: 30 }, values), f, 'layout.size', /29/);
    expectInvalidArgument(() => writeWeights(model, {} as never, values), f, 'layout', /WeightLayout/);
    expectInvalidArgument(() => writeWeights({} as never, layout, values), f, 'model', /LayersModel/);
    expectInvalidArgument(() => weightLayoutOf(null as never), 'weightLayoutOf', 'model', /LayersModel/);
    await expect(readWeights(42 as never)).rejects.toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
    model.dispose();
  });
});
