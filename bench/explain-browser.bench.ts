/**
 * Integrated gradients against its floor in headless Chromium (webgl and webgpu, software-rendered
 * by SwiftShader here): bundles bench/browser/explainPage.ts with esbuild, opens it in Chromium
 * through playwright-core, and prints the page's medians and ratios. Goal (issue 13): ratio <= 1.2.
 * Run: npm run bench -- explain-browser [--backend webgl,webgpu]
 */
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { printTable, writeResults, type BenchRow } from './harness.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.js';

const entry = fileURLToPath(new URL('./browser/explainPage.ts', import.meta.url));
const bundle = await build({
  entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022',
  define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent',
});
const script = bundle.outputFiles[0]!.text;
const server = createServer((req, res) => {
  if (req.url?.startsWith('/bench.js')) {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(script);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><meta charset="utf-8"><script type="module" src="/bench.js"></script>');
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
const i = process.argv.indexOf('--backend');
const backends = i >= 0 ? process.argv[i + 1]! : 'webgl,webgpu';
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...CHROMIUM_ARGS],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/?backends=${backends}`);
  await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult !== undefined, undefined, { timeout: 1_800_000 });
  const out = await page.evaluate(() => (window as unknown as { benchResult: unknown }).benchResult) as {
    results: { backend: string; model: string; igMs: number; floorMs: number; ratio: number }[]; error?: string; userAgent: string;
  };
  if (out.error !== undefined) throw new Error(`the page failed: ${out.error}`);
  const rows: BenchRow[] = out.results.map((r) => ({
    case: `IG 50 steps, ${r.model}, batch 32, targets given`, backend: r.backend, igMedianMs: r.igMs, floorMedianMs: r.floorMs, ratio: r.ratio,
  }));
  printTable('Integrated gradients (50 steps x 32 digits) against one batched input gradient, in headless Chromium (SwiftShader)', rows);
  writeResults('explain-browser', rows, { goal: 'ratio <= 1.2', browser: out.userAgent });
} finally {
  await browser.close();
  server.close();
}
