/**
 * The playground as a learner opens it: the built page (npm run playground:build) served
 * statically and driven in Debian's Chromium on webgl (SwiftShader). Each panel runs with small
 * settings; every number it shows must equal what the same task code computes in Node on the cpu
 * backend with the same seeds, up to float32 differences between backends. The page must stay
 * responsive while the worker trains, and cancel must stop a run. Screenshots go to
 * .ci-out/playground/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { chromium, type Browser, type Page } from 'playwright';
import { preview, type PreviewServer } from 'vite';
import { seededRng } from 'responsible-tfjs';
import { thresholdPredict, type ThresholdRule } from 'responsible-tfjs/fairness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAdult, parseAdultRows, parseDigits, type AdultEncoded } from '../../examples/shared/datasets.js';
import { compressModel, type CompressionSettings } from '../../examples/playground/src/tasks/compression.js';
import { explainDigit, type ExplanationSettings } from '../../examples/playground/src/tasks/explanation.js';
import { incomeScores, postProcess, summariseByGroup, trainIncomeModel, type FairnessSettings } from '../../examples/playground/src/tasks/fairness.js';
import { trainPrivately, type PrivateTrainingResult, type PrivateTrainingSettings } from '../../examples/playground/src/tasks/privateTraining.js';
import { robustnessCurve, type RobustnessSettings } from '../../examples/playground/src/tasks/robustness.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = `${root}examples/playground/dist/index.html`;
const shots = `${root}.ci-out/playground/`;

// Small settings, the same in the page and in Node.
const TRAIN: PrivateTrainingSettings = { targetEpsilon: 2, epochs: 2, batchSize: 128, maxGradNorm: 1, learningRate: 0.5, seed: 7 };
const ROBUSTNESS: RobustnessSettings = { epsilons: [0, 0.1, 0.2], steps: 5, rows: 120, seed: 1 };
const EXPLAIN: ExplanationSettings = { row: 3, steps: 16 };
const COMPRESS: CompressionSettings = { sparsity: 0.7 };
const FAIRNESS: FairnessSettings = { epochs: 1, batchSize: 1024, learningRate: 0.1, seed: 3 };

/**
 * How far a probability computed on webgl may be from the same one computed on cpu: float32
 * rounding of a 46-term dot product and a sigmoid (measured: under 2e-7).
 */
const SCORE_TOLERANCE = 1e-5;

/** What the page shows: `data-key` -> the full value and the rounded text. */
type Shown = Map<string, { value: number; text: string }>;

async function shown(page: Page, prefix: string): Promise<Shown> {
  const cells = await page.$$eval(`[data-key^="${prefix}."]`, (els) => els.map((e) => [(e as HTMLElement).dataset.key!, (e as HTMLElement).dataset.value!, e.textContent!] as const));
  return new Map(cells.map(([k, v, t]) => [k, { value: Number(v), text: t }]));
}

/** Every shown number is its full value rounded as displayed. */
function expectRoundedText(values: Shown): void {
  for (const [key, { value, text }] of values) {
    const digits = text.includes('.') ? text.split('.')[1]!.length : 0;
    expect(text, key).toBe(value.toFixed(digits));
  }
}

/** float32 work on two backends: relative 2e-3 (a few SGD steps of rounding drift), absolute 1e-5 near 0. */
function expectClose(actual: number, expected: number, key: string, rel = 2e-3, abs = 1e-5): void {
  expect(Math.abs(actual - expected), `${key}: page ${actual}, Node ${expected}`).toBeLessThanOrEqual(abs + rel * Math.abs(expected));
}

/** Accuracies are counts over n rows: a logit within float32 rounding of a tie may flip one row. */
function expectAccuracy(actual: number, expected: number, n: number, key: string): void {
  expect(Math.abs(actual - expected) * n, `${key}: page ${actual}, Node ${expected} (of ${n} rows)`).toBeLessThanOrEqual(1 + 1e-9);
}

async function setField(page: Page, panel: string, name: string, value: number): Promise<void> {
  await page.$eval(`#panel-${panel} [name="${name}"]`, (el, v) => {
    const input = el as HTMLInputElement;
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Clicks the panel's run button and waits for its status to leave 'running'. */
async function runPanel(page: Page, panel: string, timeout = 240_000): Promise<string> {
  await page.click(`#panel-${panel} button[data-action="run"]`);
  await page.waitForSelector(`#panel-${panel} .status[data-state="running"]`, { timeout: 10_000 }).catch(() => undefined);
  const handle = await page.waitForSelector(`#panel-${panel} .status:not([data-state="running"])`, { timeout });
  return (await handle.getAttribute('data-state'))!;
}

/** Runs the fairness panel with {@link FAIRNESS}. */
async function runFairness(page: Page): Promise<void> {
  await setField(page, 'fairness', 'epochs', FAIRNESS.epochs);
  await setField(page, 'fairness', 'batchSize', FAIRNESS.batchSize);
  await setField(page, 'fairness', 'seed', FAIRNESS.seed);
  expect(await runPanel(page, 'fairness')).toBe('done');
}

let adultCache: { train: AdultEncoded; test: AdultEncoded } | undefined;

/** The fairness panel's numbers against the same code run in Node on cpu. */
async function expectFairnessAsNode(page: Page): Promise<void> {
    const adult = (adultCache ??= encodeAdult(parseAdultRows(readFileSync(`${root}examples/data/adult.csv`, 'utf8'))));
    const { model, losses } = await trainIncomeModel(adult.train, FAIRNESS);
    const [trainScores, testScores] = [await incomeScores(model, adult.train), await incomeScores(model, adult.test)];
    model.dispose();
    const node = postProcess(adult, trainScores, testScores, FAIRNESS.seed);
    const values = await shown(page, 'fairness');
    expectRoundedText(values);
    losses.forEach((loss, i) => expectClose(values.get(`fairness.loss.${i}`)!.value, loss, `fairness loss ${i}`, 1e-5));
    // The unconstrained model: predictions compare scores with 0.5. Scores computed on two backends
    // differ by float32 rounding, so a row whose Node score lies within SCORE_TOLERANCE of 0.5 may
    // go either way; Adult has many identical rows, so such rows come in clusters. Every other row
    // must be predicted identically.
    //
    // The demographic-parity rule is fitted by the threshold optimizer, which picks thresholds
    // among the training scores' ROC hull vertices: a discontinuous function of the scores, so the
    // page's rule (from webgl scores) may differ from Node's. What must hold is that the page's
    // rule's thresholds are midpoints of training scores (up to rounding), and that the page's metrics are what that
    // rule gives on the test scores with the same random draws.
    const pageRule: ThresholdRule = {
      ...node.fitted,
      groups: Object.fromEntries(node.rule.map((g) => {
        const at = (key: string) => values.get(`fairness.rule.${g.group}.${key}`)!.value;
        return [g.group, {
          p0: at('p0'), operation0: { operator: '>', threshold: at('threshold0') },
          p1: at('p1'), operation1: { operator: '>', threshold: at('threshold1') },
        }];
      })),
    };
    for (const g of node.rule) {
      // Thresholds are midpoints between consecutive distinct training scores of the group.
      const scores = [...new Set(Array.from(trainScores).filter((_, i) => adult.train.sex[i] === g.group))].sort((a, b) => a - b);
      for (const key of ['threshold0', 'threshold1'] as const) {
        const t = values.get(`fairness.rule.${g.group}.${key}`)!.value;
        if (!Number.isFinite(t)) continue;
        const above = scores.findIndex((v) => v > t);
        expect(above, `page rule ${g.group} ${key} = ${t} lies inside the scores`).toBeGreaterThan(0);
        const midpoint = (scores[above - 1]! + scores[above]!) / 2;
        expect(Math.abs(t - midpoint), `page rule ${g.group} ${key} = ${t} is a midpoint of training scores`).toBeLessThanOrEqual(SCORE_TOLERANCE);
      }
    }
    const expected = [
      node.unconstrained,
      summariseByGroup(adult.test, thresholdPredict(pageRule, { yScore: testScores, sensitiveFeatures: adult.test.sex, rng: seededRng(`playground-fairness-predict-${FAIRNESS.seed}`) })),
    ] as const;
    const fragile = (model: 0 | 1, group: string): number => {
      const rule = pageRule.groups[group]!;
      const thresholds = model === 0 ? [0.5] : [rule.operation0.threshold, rule.operation1.threshold];
      let count = 0;
      testScores.forEach((s, i) => void (adult.test.sex[i] === group && thresholds.some((t) => Math.abs(s - t) <= SCORE_TOLERANCE) && count++));
      return count;
    };
    const denominators = (group: string) => {
      let positives = 0;
      let rows = 0;
      adult.test.sex.forEach((s, i) => {
        if (s !== group) return;
        rows++;
        positives += adult.test.y[i]!;
      });
      return { selectionRate: rows, accuracy: rows, truePositiveRate: positives, falsePositiveRate: rows - positives };
    };
    expected.forEach((s, m) => {
      let allowed = 0;
      for (const g of s.bySex) {
        const flips = fragile(m as 0 | 1, g.group);
        const denominator = denominators(g.group);
        allowed += flips;
        expect(values.get(`fairness.${m}.${g.group}.count`)!.value).toBe(g.count);
        for (const metric of ['selectionRate', 'accuracy', 'truePositiveRate', 'falsePositiveRate'] as const) {
          const rows = Math.abs(values.get(`fairness.${m}.${g.group}.${metric}`)!.value - g[metric]) * denominator[metric];
          expect(rows, `${m} ${g.group} ${metric}: rows that differ (${flips} near a threshold)`).toBeLessThanOrEqual(flips + 1e-6);
        }
      }
      console.log(`fairness model ${m}: ${allowed} test rows scored within ${SCORE_TOLERANCE} of a threshold`);
      const rows = Math.abs(values.get(`fairness.${m}.accuracy`)!.value - s.accuracy) * adult.test.n;
      expect(rows, `model ${m} accuracy: rows that differ (${allowed} near a threshold)`).toBeLessThanOrEqual(allowed + 1e-6);
    });
}

/** The built page served by `vite preview`, and a Chromium to open it in. */
interface Playground {
  /** Opens the page with `query` (e.g. `?backend=webgl`) and waits for its backend; errors it logs go to `errors`. */
  open(query: string, errors: string[]): Promise<Page>;
  close(): Promise<void>;
}

async function startPlayground(): Promise<Playground> {
  if (!existsSync(built)) throw new Error('the playground is not built: run npm run playground:build first');
  const server: PreviewServer = await preview({ configFile: `${root}examples/playground/vite.config.ts`, preview: { port: 0, strictPort: false, open: false }, logLevel: 'warn' });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
  return {
    async open(query, errors) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      await page.goto(`${server.resolvedUrls!.local[0]!}${query}`);
      await page.waitForSelector('#backend[data-state="ready"]', { timeout: 60_000 });
      return page;
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    },
  };
}

describe('the playground page in Chromium (webgl)', () => {
  let playground: Playground | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const digits = parseDigits(readFileSync(`${root}examples/data/digits.csv`, 'utf8'));
  let nodeModel: PrivateTrainingResult | undefined;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    await tf.setBackend('cpu');
    playground = await startPlayground();
    page = await playground.open('?backend=webgl', pageErrors);
  });

  afterAll(async () => {
    nodeModel?.model.dispose();
    await playground?.close();
  });

  it('starts the backend it was asked for and says which', async () => {
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('webgl');
    expect(await page.textContent('#backend')).toMatch(/^Backend: webgl/);
    // Panels that need a trained model wait for one.
    expect(await page.isDisabled('#panel-robustness button[data-action="run"]')).toBe(true);
  });

  it('labels every control and reaches them with the keyboard', async () => {
    const unlabelled = await page.$$eval('input, button, progress', (els) => els
      .filter((e) => {
        if (e instanceof HTMLInputElement) return e.labels === null || e.labels.length === 0;
        if (e instanceof HTMLProgressElement) return !e.getAttribute('aria-label');
        return (e.textContent ?? '').trim() === '';
      })
      .map((e) => e.outerHTML));
    expect(unlabelled).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    // Tab walks the first panel's controls in reading order and reaches its run button.
    const visited: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const here = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement;
        return e.getAttribute('name') ?? e.dataset.action ?? e.tagName;
      });
      visited.push(here);
      if (here === 'run') break;
    }
    expect(visited).toEqual(['targetEpsilon', 'epochs', 'batchSize', 'maxGradNorm', 'seed', 'run']);
    // The status lines are live regions, so screen readers hear progress and results.
    expect(await page.$$eval('.status', (els) => els.every((e) => e.getAttribute('aria-live') === 'polite'))).toBe(true);
  });

  it('trains privately, stays responsive, and shows what Node computes', async () => {
    for (const [name, value] of Object.entries({ targetEpsilon: TRAIN.targetEpsilon, epochs: TRAIN.epochs, batchSize: TRAIN.batchSize, maxGradNorm: TRAIN.maxGradNorm, seed: TRAIN.seed })) {
      await setField(page, 'train', name, value);
    }
    // Count animation frames on the page's thread while the worker trains.
    await page.evaluate(() => {
      const w = window as unknown as { frames_: number };
      w.frames_ = 0;
      const tick = (): void => { w.frames_++; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    const framesBefore = await page.evaluate(() => (window as unknown as { frames_: number }).frames_);
    await page.click('#panel-train button[data-action="run"]');
    // The live chart appears while the run goes on (progress through the library's callbacks).
    await page.waitForSelector('#panel-train [data-figure="train-epsilon"]', { timeout: 120_000 });
    expect(await page.getAttribute('#panel-train .status', 'data-state')).toBe('running');
    await page.waitForSelector('#panel-train .status[data-state="done"]', { timeout: 240_000 });
    const frames = (await page.evaluate(() => (window as unknown as { frames_: number }).frames_)) - framesBefore;
    expect(frames, 'animation frames while training').toBeGreaterThan(10);
    await page.locator('#panel-train').screenshot({ path: `${shots}train.png` });

    nodeModel = await trainPrivately(digits, TRAIN);
    const values = await shown(page, 'train');
    expectRoundedText(values);
    expect(values.get('train.noiseMultiplier')!.value).toBeCloseTo(nodeModel.noiseMultiplier, 12);
    expect(values.get('train.epsilon')!.value).toBeCloseTo(nodeModel.epsilon, 12);
    expect(values.get('train.epsilon')!.value).toBeLessThanOrEqual(TRAIN.targetEpsilon);
    expect(values.get('train.steps')!.value).toBe(nodeModel.steps);
    expectAccuracy(values.get('train.testAccuracy')!.value, nodeModel.testAccuracy, digits.test.n, 'train.testAccuracy');
    expect(await page.textContent('#panel-train table')).toContain('seeded (demonstration only)');
    expect(await page.isDisabled('#panel-robustness button[data-action="run"]')).toBe(false);
  });

  it('attacks the trained model with PGD as Node does', async () => {
    expect(nodeModel).toBeDefined();
    await setField(page, 'robustness', 'maxEpsilon', 0.2);
    await setField(page, 'robustness', 'points', 3);
    await setField(page, 'robustness', 'steps', ROBUSTNESS.steps);
    await setField(page, 'robustness', 'rows', ROBUSTNESS.rows);
    expect(await runPanel(page, 'robustness')).toBe('done');
    await page.locator('#panel-robustness').screenshot({ path: `${shots}robustness.png` });
    const node = await robustnessCurve(nodeModel!.model, digits.test, ROBUSTNESS);
    const values = await shown(page, 'robustness');
    expectRoundedText(values);
    expect(values.size).toBe(ROBUSTNESS.epsilons.length);
    node.curve.forEach((p, i) => expectAccuracy(values.get(`robustness.accuracy.${i}`)!.value, p.robustAccuracy, ROBUSTNESS.rows, `robustness at ${p.epsilon}`));
    expect(await page.$('#panel-robustness [data-figure="robustness-digits"]') !== null).toBe(node.example !== undefined);
  });

  it('explains a digit as Node does', async () => {
    await setField(page, 'explain', 'row', EXPLAIN.row);
    await setField(page, 'explain', 'steps', EXPLAIN.steps);
    expect(await runPanel(page, 'explain')).toBe('done');
    await page.locator('#panel-explain').screenshot({ path: `${shots}explain.png` });
    const node = await explainDigit(nodeModel!.model, digits.test, EXPLAIN);
    const values = await shown(page, 'explain');
    expectRoundedText(values);
    expect(values.get('explain.prediction')!.value).toBe(node.prediction);
    expectClose(values.get('explain.probability')!.value, node.probability, 'explain.probability');
    expectClose(values.get('explain.attributionSum')!.value, node.integratedGradients.reduce((a, b) => a + b, 0), 'explain.attributionSum', 2e-3, 1e-4);
    expectClose(values.get('explain.convergenceDelta')!.value, node.convergenceDelta, 'explain.convergenceDelta', 0, 2e-3);
  });

  it('prunes and quantizes as Node does', async () => {
    await setField(page, 'compress', 'sparsity', COMPRESS.sparsity);
    expect(await runPanel(page, 'compress')).toBe('done');
    await page.locator('#panel-compress').screenshot({ path: `${shots}compress.png` });
    const node = await compressModel(nodeModel!.model, digits.test, COMPRESS);
    const values = await shown(page, 'compress');
    expectRoundedText(values);
    node.stages.forEach((s, i) => {
      expectAccuracy(values.get(`compress.${i}.testAccuracy`)!.value, s.testAccuracy, digits.test.n, `compress stage ${i}`);
      // Sizes depend only on the shapes and on how many weights are zero: exact.
      expect(values.get(`compress.${i}.denseBytes`)!.value).toBe(s.denseBytes);
      expect(values.get(`compress.${i}.sparseBytes`)!.value).toBe(s.sparseBytes);
    });
  });

  it('measures and mitigates unfairness on Adult as Node does', async () => {
    await runFairness(page);
    await page.locator('#panel-fairness').screenshot({ path: `${shots}fairness.png` });
    await expectFairnessAsNode(page);
  });

  it('stops a run when cancel is clicked', async () => {
    await setField(page, 'train', 'epochs', 100);
    await page.click('#panel-train button[data-action="run"]');
    await page.waitForSelector('#panel-train .status[data-state="running"]', { timeout: 10_000 });
    await page.waitForTimeout(1500);
    await page.click('#panel-train button[data-action="cancel"]');
    await page.waitForSelector('#panel-train .status[data-state="cancelled"]', { timeout: 60_000 });
    expect(await page.textContent('#panel-train .status')).toBe('Cancelled.');
    expect(await page.isDisabled('#panel-train button[data-action="run"]')).toBe(false);
    // Far fewer epochs than asked for were run: the progress bar stopped early.
    expect(await page.$eval('#panel-train progress', (p) => (p as HTMLProgressElement).value)).toBeLessThan(0.2);
    await page.screenshot({ path: `${shots}page.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});

describe('the playground page on its other backends', () => {
  let playground: Playground | undefined;
  const pageErrors: string[] = [];
  const open = (query: string): Promise<Page> => playground!.open(query, pageErrors);

  beforeAll(async () => {
    await tf.setBackend('cpu');
    playground = await startPlayground();
  });
  afterAll(async () => {
    await playground?.close();
  });

  it('falls back to wasm (the .wasm files are served with the page) and computes what Node does', async () => {
    const page = await open('?backend=wasm');
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('wasm');
    await runFairness(page);
    await expectFairnessAsNode(page);
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('without a backend in its address, picks the first that starts (webgpu, webgl, wasm) and computes what Node does', async () => {
    const page = await open('');
    const backend = await page.getAttribute('#backend', 'data-backend');
    expect(['webgpu', 'webgl', 'wasm']).toContain(backend);
    const text = (await page.textContent('#backend'))!;
    expect(text).toMatch(new RegExp(`^Backend: ${backend}`));
    if (backend !== 'webgpu') expect(text).toContain('webgpu');
    console.log(`the page chose: ${text}`);
    await runFairness(page);
    await expectFairnessAsNode(page);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
