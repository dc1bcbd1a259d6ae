import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { lineChartSvg, seededRng } from '../../src/core/index.js';
import { toOneHot } from '../../src/core/labels.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

describeBackends('core in the browser', (backend) => {
  it('runs on the requested backend', () => {
    expect(tf.getBackend()).toBe(backend);
  });

  it('builds one-hot labels without leaking', async () => {
    const y = toOneHot('t', [1, 0, 2], 3, 3);
    expect(Array.from(await y.data())).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
    y.dispose();
    await expectNoLeaks(() => toOneHot('t', [1, 0], 2, 2));
  });

  it('seeds and draws SVG without Node APIs', () => {
    expect(seededRng(1).next()).toBe(seededRng(1).next());
    expect(lineChartSvg([{ label: 'a', x: [0, 1], y: [0, 1] }], { title: 't' })).toMatch(/^<svg/);
  });
});
