/**
 * The page: one panel per module, each a form, a run and a cancel button, a progress bar and
 * results. All computation happens in ./worker.ts; this thread only draws, so it stays responsive.
 * Numbers are shown rounded; each shown number also carries its full value in `data-value` (the
 * browser test compares those with the same tasks run in Node).
 */
import { barChartSvg, lineChartSvg, type LineSeries } from 'responsible-tfjs';
import { attributionHeatmapSvg } from 'responsible-tfjs/explain';
import type { Reply, Request, TaskName, Tasks } from './protocol.js';
import { DELTA } from './tasks/privateTraining.js';

/** Okabe & Ito's colour-blind-safe palette. */
const COLOURS = { blue: '#0072B2', orange: '#E69F00', green: '#009E73', vermillion: '#D55E00', purple: '#CC79A7', grey: '#555555' };

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (request: Request): void => worker.postMessage(request);

interface Pending {
  readonly onProgress: (fraction: number, message: string, point: unknown) => void;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}
const pending = new Map<number, Pending>();
let nextId = 1;

class Cancelled extends Error {}

worker.onmessage = (event: MessageEvent<Reply>) => {
  const reply = event.data;
  if (reply.type === 'ready') {
    const status = document.getElementById('backend')!;
    const skipped = reply.tried.length ? ` (${reply.tried.join(', ')} not available here)` : '';
    status.textContent = `Backend: ${reply.backend}${skipped}, tfjs ${reply.tfjsVersion}.`;
    status.dataset.state = 'ready';
    status.dataset.backend = reply.backend;
    document.querySelectorAll<HTMLButtonElement>('button[data-needs="backend"]').forEach((b) => (b.disabled = false));
    return;
  }
  if (reply.type === 'failed' && reply.id === -1) {
    const status = document.getElementById('backend')!;
    status.textContent = `No tfjs backend could start: ${reply.error}`;
    status.dataset.state = 'failed';
    return;
  }
  const task = pending.get(reply.id);
  if (!task) return;
  if (reply.type === 'progress') task.onProgress(reply.fraction, reply.message, reply.point);
  else {
    pending.delete(reply.id);
    if (reply.type === 'done') task.resolve(reply.result);
    else if (reply.type === 'cancelled') task.reject(new Cancelled('cancelled'));
    else if (reply.type === 'failed') task.reject(new Error(reply.error));
  }
};

send({ type: 'init', backend: new URLSearchParams(location.search).get('backend'), dataBase: new URL('./', location.href).href });

/** Sets a shown number: rounded text, full value in `data-value`. */
function showNumber(element: Element, value: number, digits: number, suffix = ''): string {
  (element as HTMLElement).dataset.value = String(value);
  return (element.textContent = `${value.toFixed(digits)}${suffix}`);
}

function numberCell(value: number, digits: number, key: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.dataset.key = key;
  showNumber(td, value, digits);
  return td;
}

function table(caption: string, header: readonly string[], rows: readonly (readonly (string | HTMLTableCellElement)[])[]): HTMLTableElement {
  const t = document.createElement('table');
  t.createCaption().textContent = caption;
  const head = t.createTHead().insertRow();
  for (const h of header) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) {
      if (typeof cell === 'string') {
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = cell;
        tr.append(th);
      } else tr.append(cell);
    }
  }
  return t;
}

function figure(svg: string, caption: string, key: string): HTMLElement {
  const f = document.createElement('figure');
  f.dataset.figure = key;
  f.innerHTML = svg;
  f.querySelector('svg')?.setAttribute('role', 'img');
  f.querySelector('svg')?.setAttribute('aria-label', caption);
  const c = document.createElement('figcaption');
  c.textContent = caption;
  f.append(c);
  return f;
}

/** An 8 × 8 digit as a grey-scale SVG (white 0 to black 1). */
function digitSvg(pixels: ArrayLike<number>, title: string): string {
  const cell = 14;
  const cells: string[] = [];
  for (let i = 0; i < 64; i++) {
    const g = Math.round(255 * (1 - Math.min(1, Math.max(0, pixels[i]!))));
    cells.push(`<rect x="${(i % 8) * cell}" y="${Math.floor(i / 8) * cell}" width="${cell}" height="${cell}" fill="rgb(${g},${g},${g})"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${8 * cell}" height="${8 * cell}" viewBox="0 0 ${8 * cell} ${8 * cell}"><title>${title}</title>${cells.join('')}</svg>`;
}

/** Wires a panel: run and cancel buttons, progress bar, status line. */
function panel<K extends TaskName>(
  name: K,
  options: {
    readonly label: string;
    readonly needsModel?: boolean;
    readonly settings: (form: HTMLFormElement) => Tasks[K]['settings'];
    readonly onStart?: (results: HTMLElement, settings: Tasks[K]['settings']) => void;
    readonly onPoint?: (results: HTMLElement, point: Tasks[K]['point']) => void;
    readonly onResult: (results: HTMLElement, result: Tasks[K]['result'], settings: Tasks[K]['settings']) => void;
  },
): void {
  const section = document.getElementById(`panel-${name}`)!;
  const form = section.querySelector('form')!;
  const results = section.querySelector<HTMLElement>('.results')!;
  const run = section.querySelector<HTMLElement>('.run')!;
  const start = document.createElement('button');
  start.type = 'button';
  start.textContent = options.label;
  start.dataset.action = 'run';
  start.dataset.needs = options.needsModel ? 'model' : 'backend';
  start.disabled = true;
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'secondary';
  cancel.textContent = 'Cancel';
  cancel.dataset.action = 'cancel';
  cancel.disabled = true;
  const progress = document.createElement('progress');
  progress.max = 1;
  progress.value = 0;
  progress.setAttribute('aria-label', `${options.label}: progress`);
  const status = document.createElement('p');
  status.className = 'status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  status.dataset.state = 'idle';
  status.textContent = options.needsModel ? 'Needs the model from panel 1.' : 'Ready when the backend is.';
  run.append(start, cancel, progress, status);
  form.addEventListener('submit', (e) => e.preventDefault());
  form.querySelectorAll('output').forEach((output) => {
    const input = form.elements.namedItem(output.name.replace(/Value$/, '')) as HTMLInputElement;
    input.addEventListener('input', () => (output.textContent = input.value));
  });

  let id = 0;
  start.addEventListener('click', () => {
    if (!form.reportValidity()) return;
    const settings = options.settings(form);
    id = nextId++;
    start.disabled = true;
    cancel.disabled = false;
    progress.value = 0;
    status.dataset.state = 'running';
    status.textContent = 'Running…';
    results.replaceChildren();
    options.onStart?.(results, settings);
    const started = performance.now();
    new Promise<unknown>((resolve, reject) => {
      pending.set(id, {
        resolve, reject,
        onProgress: (fraction, message, point) => {
          progress.value = fraction;
          status.textContent = `Running: ${message}`;
          if (point !== undefined) options.onPoint?.(results, point as Tasks[K]['point']);
        },
      });
      send({ type: 'run', id, task: name, settings } as Request);
    }).then(
      (result) => {
        progress.value = 1;
        options.onResult(results, result as Tasks[K]['result'], settings);
        status.dataset.state = 'done';
        status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
      },
      (error: Error) => {
        status.dataset.state = error instanceof Cancelled ? 'cancelled' : 'failed';
        status.textContent = error instanceof Cancelled ? 'Cancelled.' : `Failed: ${error.message}`;
      },
    ).finally(() => {
      start.disabled = false;
      cancel.disabled = true;
      section.dispatchEvent(new CustomEvent('settled', { bubbles: true }));
    });
  });
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    status.textContent = 'Cancelling…';
    send({ type: 'cancel', id });
  });
}

const num = (form: HTMLFormElement, name: string): number => Number((form.elements.namedItem(name) as HTMLInputElement).value);

// 1. Private training.
let epochPoints: Tasks['train']['point'][] = [];
function trainingCharts(results: HTMLElement, targetEpsilon: number, epochs: number): void {
  const x = epochPoints.map((p) => p.epoch);
  const epsilonSeries: LineSeries[] = [
    { label: 'epsilon spent', x, y: epochPoints.map((p) => p.epsilon), color: COLOURS.blue },
    { label: 'target', x: [1, epochs], y: [targetEpsilon, targetEpsilon], color: COLOURS.grey, dashed: true },
  ];
  const charts = [
    figure(lineChartSvg(epsilonSeries, { title: 'Epsilon spent (δ = 1e-5)', xLabel: 'epoch', yLabel: 'epsilon', yMin: 0, xMin: 1, xMax: Math.max(2, epochs), width: 420, height: 280 }), 'Epsilon spent after each epoch', 'train-epsilon'),
    figure(lineChartSvg([{ label: 'test accuracy', x, y: epochPoints.map((p) => p.testAccuracy), color: COLOURS.vermillion }], { title: 'Test accuracy', xLabel: 'epoch', yLabel: 'accuracy', yMin: 0, yMax: 1, xMin: 1, xMax: Math.max(2, epochs), width: 420, height: 280 }), 'Test accuracy after each epoch', 'train-accuracy'),
  ];
  results.querySelectorAll('[data-figure^="train-"]').forEach((f) => f.remove());
  results.prepend(...charts);
}
panel('train', {
  label: 'Train privately',
  settings: (form) => ({
    targetEpsilon: num(form, 'targetEpsilon'), epochs: num(form, 'epochs'), batchSize: num(form, 'batchSize'),
    maxGradNorm: num(form, 'maxGradNorm'), learningRate: 0.5, seed: num(form, 'seed'),
  }),
  onStart: () => void (epochPoints = []),
  onPoint: (results, point) => {
    epochPoints.push(point);
    const form = document.querySelector<HTMLFormElement>('#panel-train form')!;
    trainingCharts(results, num(form, 'targetEpsilon'), num(form, 'epochs'));
  },
  onResult: (results, r, settings) => {
    epochPoints = [...r.history];
    trainingCharts(results, settings.targetEpsilon, settings.epochs);
    const cell = (v: number, d: number, key: string) => numberCell(v, d, `train.${key}`);
    results.append(table('Private training', ['quantity', 'value'], [
      ['noise multiplier σ (calibrated)', cell(r.noiseMultiplier, 4, 'noiseMultiplier')],
      [`epsilon spent (δ = ${DELTA.toExponential()})`, cell(r.epsilon, 4, 'epsilon')],
      ['steps', cell(r.steps, 0, 'steps')],
      ['test accuracy', cell(r.testAccuracy, 4, 'testAccuracy')],
      ['noise source', r.secureNoise ? 'secure' : 'seeded (demonstration only)'],
    ]));
    document.querySelectorAll<HTMLButtonElement>('button[data-needs="model"]').forEach((b) => (b.disabled = false));
    document.querySelectorAll('.status').forEach((s) => {
      if (s.textContent === 'Needs the model from panel 1.') s.textContent = 'Ready.';
    });
  },
});

// 2. Robustness.
let curvePoints: Tasks['robustness']['point'][] = [];
function robustnessChart(results: HTMLElement, maxEpsilon: number): void {
  results.querySelector('[data-figure="robustness-curve"]')?.remove();
  results.prepend(figure(lineChartSvg(
    [{ label: 'PGD robust accuracy', x: curvePoints.map((p) => p.epsilon), y: curvePoints.map((p) => p.robustAccuracy), color: COLOURS.blue }],
    { title: 'Robust accuracy under PGD (L∞)', xLabel: 'epsilon (pixels in [0, 1])', yLabel: 'accuracy', yMin: 0, yMax: 1, xMin: 0, xMax: maxEpsilon, width: 460, height: 300 },
  ), 'Robust accuracy against the attack radius', 'robustness-curve'));
}
panel('robustness', {
  label: 'Attack the model',
  needsModel: true,
  settings: (form) => {
    const max = num(form, 'maxEpsilon');
    const points = num(form, 'points');
    return { epsilons: Array.from({ length: points }, (_, i) => Number(((max * i) / (points - 1)).toFixed(6))), steps: num(form, 'steps'), rows: num(form, 'rows'), seed: 1 };
  },
  onStart: () => void (curvePoints = []),
  onPoint: (results, point) => {
    curvePoints.push(point);
    robustnessChart(results, num(document.querySelector<HTMLFormElement>('#panel-robustness form')!, 'maxEpsilon'));
  },
  onResult: (results, r, settings) => {
    curvePoints = [...r.curve];
    robustnessChart(results, Math.max(...settings.epsilons));
    results.append(table('Robust accuracy', ['epsilon', 'accuracy'], r.curve.map((p, i) => [p.epsilon.toString(), numberCell(p.robustAccuracy, 4, `robustness.accuracy.${i}`)])));
    if (r.example) {
      const e = r.example;
      const pair = document.createElement('div');
      pair.className = 'digits';
      pair.dataset.figure = 'robustness-digits';
      pair.append(
        figure(digitSvg(e.clean, `test digit ${e.row}, a ${e.label}`), `Test row ${e.row} (a ${e.label}): read as ${e.cleanPrediction}`, 'robustness-clean'),
        figure(digitSvg(e.adversarial, `the same digit after PGD at epsilon ${e.epsilon}`), `After PGD (ε = ${e.epsilon}): read as ${e.adversarialPrediction}`, 'robustness-adversarial'),
      );
      results.append(pair);
    } else {
      const p = document.createElement('p');
      p.textContent = 'The attack flipped none of the attacked digits at the largest epsilon.';
      results.append(p);
    }
  },
});

// 3. Explanation.
panel('explain', {
  label: 'Explain the digit',
  needsModel: true,
  settings: (form) => ({ row: num(form, 'row'), steps: num(form, 'steps') }),
  onResult: (results, r) => {
    const grid = (values: Float32Array) => ({ values, width: 8, height: 8 });
    const image = grid(r.pixels);
    results.append(
      figure(digitSvg(r.pixels, `test digit ${r.row}`), `Test row ${r.row}: a ${r.label}`, 'explain-digit'),
      figure(attributionHeatmapSvg(grid(r.integratedGradients), { title: `Integrated gradients, class ${r.prediction}`, image, cellSize: 26 }), 'Integrated gradients over the digit', 'explain-ig'),
      figure(attributionHeatmapSvg(grid(r.saliency), { title: 'Saliency |∂logit/∂pixel|', cellSize: 26 }), 'Saliency map', 'explain-saliency'),
      table('Explanation', ['quantity', 'value'], [
        ['predicted class', numberCell(r.prediction, 0, 'explain.prediction')],
        ['probability', numberCell(r.probability, 4, 'explain.probability')],
        ['sum of IG attributions', numberCell(r.integratedGradients.reduce((a, b) => a + b, 0), 4, 'explain.attributionSum')],
        ['convergence delta', numberCell(r.convergenceDelta, 6, 'explain.convergenceDelta')],
      ]),
    );
  },
});

// 4. Fairness.
panel('fairness', {
  label: 'Train and measure',
  settings: (form) => ({ epochs: num(form, 'epochs'), batchSize: num(form, 'batchSize'), learningRate: 0.1, seed: num(form, 'seed') }),
  onResult: (results, r) => {
    const models = [['unconstrained', r.unconstrained], ['demographic parity', r.demographicParity]] as const;
    results.append(figure(barChartSvg(
      {
        categories: r.unconstrained.bySex.map((g) => g.group),
        series: models.map(([label, s], i) => ({ label, values: s.bySex.map((g) => g.selectionRate), color: i === 0 ? COLOURS.blue : COLOURS.orange })),
      },
      { title: 'Selection rate by sex', yLabel: 'share predicted >50K', yMin: 0, width: 460, height: 300 },
    ), 'Selection rate by sex, without and with the demographic-parity constraint', 'fairness-selection'));
    const rows = models.flatMap(([label, s], m) => s.bySex.map((g) => [
      `${label}: ${g.group}`,
      numberCell(g.count, 0, `fairness.${m}.${g.group}.count`),
      numberCell(g.selectionRate, 4, `fairness.${m}.${g.group}.selectionRate`),
      numberCell(g.accuracy, 4, `fairness.${m}.${g.group}.accuracy`),
      numberCell(g.truePositiveRate, 4, `fairness.${m}.${g.group}.truePositiveRate`),
      numberCell(g.falsePositiveRate, 4, `fairness.${m}.${g.group}.falsePositiveRate`),
    ] as const));
    results.append(
      table('Metric frame by sex (test split)', ['model and group', 'rows', 'selection rate', 'accuracy', 'TPR', 'FPR'], rows),
      table('Overall', ['model', 'accuracy', 'DP difference'], models.map(([label, s], m) => [
        label, numberCell(s.accuracy, 4, `fairness.${m}.accuracy`), numberCell(s.demographicParityDifference, 4, `fairness.${m}.dpDifference`),
      ])),
      table('Threshold optimizer rule: P(ŷ = 1) = p₀·[s > t₀] + p₁·[s > t₁]', ['group', 'p₀', 't₀', 'p₁', 't₁'], r.rule.map((g) => [
        g.group, numberCell(g.p0, 4, `fairness.rule.${g.group}.p0`), numberCell(g.threshold0, 4, `fairness.rule.${g.group}.threshold0`),
        numberCell(g.p1, 4, `fairness.rule.${g.group}.p1`), numberCell(g.threshold1, 4, `fairness.rule.${g.group}.threshold1`),
      ])),
      table('Training', ['epoch', 'mean log loss'], r.losses.map((loss, i) => [String(i + 1), numberCell(loss, 5, `fairness.loss.${i}`)])),
    );
  },
});

// 5. Compression.
panel('compress', {
  label: 'Prune and quantize',
  needsModel: true,
  settings: (form) => ({ sparsity: num(form, 'sparsity') }),
  onResult: (results, r) => {
    results.append(
      figure(barChartSvg(
        { categories: r.stages.map((s) => s.name), series: [
          { label: 'dense file', values: r.stages.map((s) => s.denseBytes / 1024), color: COLOURS.blue },
          { label: 'sparse file', values: r.stages.map((s) => s.sparseBytes / 1024), color: COLOURS.orange },
        ] },
        { title: 'Weights file size', yLabel: 'KiB', yMin: 0, width: 460, height: 300 },
      ), 'Size of the weights file at each stage', 'compress-size'),
      table('Compression', ['stage', 'test accuracy', 'dense bytes', 'sparse bytes'], r.stages.map((s, i) => [
        s.name, numberCell(s.testAccuracy, 4, `compress.${i}.testAccuracy`), numberCell(s.denseBytes, 0, `compress.${i}.denseBytes`), numberCell(s.sparseBytes, 0, `compress.${i}.sparseBytes`),
      ])),
    );
  },
});
