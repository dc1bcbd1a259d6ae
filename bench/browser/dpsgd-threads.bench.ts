/**
 * DP-SGD on tfjs's multi-threaded wasm backend in a cross-origin-isolated page (headless Chromium):
 * bundles bench/browser/dpsgdThreadsPage.ts with esbuild, serves it from a Node http server with
 * COOP same-origin + COEP require-corp (+ CORP on every asset) so `self.crossOriginIsolated` is true
 * and @tensorflow/tfjs-backend-wasm loads its threaded SIMD binary, then loads the page once per
 * thread count (`setThreadsCount` must precede `setBackend('wasm')`) and prints medians and the ratio
 * threads-n / threads-1.
 * tfjs 4.22 caps the pool at navigator.hardwareConcurrency / 2, so the pages emulate 4 logical cores
 * (CDP Emulation.setHardwareConcurrencyOverride; `--hardware-concurrency 0` turns that off).
 * Run: npm run bench -- dpsgd-threads [--threads 1,2] [--rounds 2] [--runs 21] [--hardware-concurrency 4]
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { printTable, writeResults, type BenchRow } from '../harness.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';

const entry = fileURLToPath(new URL('./dpsgdThreadsPage.ts', import.meta.url));
const wasmDir = fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
const bundle = await build({
  entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022',
  define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent',
});
const script = bundle.outputFiles[0]!.text;
const isolation = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};
/** Paths the pages asked for (shows which wasm binary tfjs loaded). */
const requested = new Set<string>();
const server = createServer((req, res) => {
  const url = req.url ?? '/';
  requested.add(url.split('?')[0]!);
  if (url.startsWith('/bench.js')) {
    res.writeHead(200, { ...isolation, 'content-type': 'text/javascript' });
    res.end(script);
  } else if (url.startsWith('/wasm/')) {
    const name = url.slice('/wasm/'.length).split('?')[0]!;
    if (!/^[\w.-]+\.wasm$/.test(name)) { res.writeHead(404, isolation); res.end(); return; }
    try {
      const body = readFileSync(`${wasmDir}${name}`);
      res.writeHead(200, { ...isolation, 'content-type': 'application/wasm' });
      res.end(body);
    } catch {
      res.writeHead(404, isolation); res.end();
    }
  } else {
    res.writeHead(200, { ...isolation, 'content-type': 'text/html' });
    res.end('<!doctype html><meta charset="utf-8"><script type="module" src="/bench.js"></script>');
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
const i = process.argv.indexOf('--threads');
const threadCounts = (i >= 0 ? process.argv[i + 1]! : '1,2').split(',').map(Number);
const r = process.argv.indexOf('--runs');
const runs = r >= 0 ? Number(process.argv[r + 1]) : 21;
const rr = process.argv.indexOf('--rounds');
/** Page loads alternate thread counts round by round; each ratio is against the 1-thread page of its round. */
const rounds = rr >= 0 ? Number(process.argv[rr + 1]) : 2;
const h = process.argv.indexOf('--hardware-concurrency');
const hardwareConcurrency = h >= 0 ? Number(process.argv[h + 1]) : 4;
const loadavg = (): string => os.loadavg().map((v) => v.toFixed(2)).join(' ');
const loadStart = loadavg();
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...CHROMIUM_ARGS],
});
interface PageOut {
  error?: string; round?: number; workers?: number; simd: boolean; multithreadSupport: boolean; threadsRequested: number; threadsCount: number; crossOriginIsolated: boolean; sharedArrayBuffer: boolean;
  hardwareConcurrency: number; backend: string; userAgent: string; rows: { case: string; medianMs: number; minMs: number; runs: number }[];
}
const outs: PageOut[] = [];
try {
  for (let round = 1; round <= rounds; round++) for (const threads of threadCounts) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // tfjs 4.22 caps XNNPACK's pool at navigator.hardwareConcurrency / 2 (backend.cc), so on a 2-core machine
    // getThreadsCount() stays 1 whatever setThreadsCount asks; emulate `--hardware-concurrency` logical cores
    // (default 4) in every page, for every thread count, so that setThreadsCount(2) is honoured.
    if (hardwareConcurrency > 0) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency });
    }
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning' || process.argv.includes('--verbose')) console.log(`[page ${threads}t ${m.type()}] ${m.text()}`); });
    await page.goto(`http://127.0.0.1:${port}/?threads=${threads}&runs=${runs}`);
    await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult !== undefined, undefined, { timeout: 900_000 });
    const out = await page.evaluate(() => (window as unknown as { benchResult: unknown }).benchResult) as PageOut;
    out.workers = page.workers().length;
    await context.close();
    if (out.error !== undefined) throw new Error(`the page (threads=${threads}) failed: ${out.error}`);
    console.log(`round ${round}, threads=${threads}: crossOriginIsolated=${out.crossOriginIsolated}, SharedArrayBuffer=${out.sharedArrayBuffer}, getThreadsCount()=${out.threadsCount}, backend=${out.backend}, WASM_HAS_MULTITHREAD_SUPPORT=${out.multithreadSupport}, SIMD=${out.simd}, web workers=${out.workers}, hardwareConcurrency=${out.hardwareConcurrency}`);
    out.round = round;
    outs.push(out);
  }
} finally {
  await browser.close();
  server.close();
}
const loadEnd = loadavg();
const rows: BenchRow[] = outs.flatMap((o) => o.rows.map((r) => {
  const base = outs.find((p) => p.round === o.round && p.threadsRequested === 1);
  const b = base?.rows.find((s) => s.case === r.case);
  return {
    case: r.case, round: o.round, threads: `${o.threadsRequested} (getThreadsCount ${o.threadsCount}, isolated ${o.crossOriginIsolated})`,
    medianMs: r.medianMs, minMs: r.minMs, runs: r.runs,
    'ratio vs 1 thread': b === undefined ? '-' : Number((r.medianMs / b.medianMs).toFixed(2)),
  };
}));
printTable('One training step on wasm in headless Chromium, cross-origin isolated (median ms)', rows);
const cpus = os.cpus();
console.log(`\ncpus: ${cpus.length} x ${cpus[0]?.model}; loadavg (1, 5, 15 min) at start: ${loadStart}; at end: ${loadEnd}`);
console.log(`browser: ${outs[0]?.userAgent}`);
console.log(`served: ${[...requested].join(', ')}`);
writeResults('dpsgd-threads', rows, { loadavgStart: loadStart, loadavgEnd: loadEnd, browser: outs[0]?.userAgent, pages: outs.map(({ rows: _, ...o }) => o) });
