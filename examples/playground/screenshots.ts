/**
 * Takes the playground figures in docs/: serves the built page (npm run playground:build first),
 * opens it in Chromium (CHROMIUM_PATH, default /usr/bin/chromium) on the backend given (default
 * wasm), runs every panel with its default settings and saves each panel as
 * docs/figures/playground-<panel>.png. Prints the shown numbers and each panel's time.
 *
 * Run: npm run playground:screenshots [-- webgl]
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';

const backend = process.argv[2] ?? 'wasm';
const figures = fileURLToPath(new URL('../../docs/figures/', import.meta.url));
const server = await preview({ configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)), preview: { port: 0 }, logLevel: 'warn' });
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...CHROMIUM_ARGS],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${server.resolvedUrls!.local[0]!}?backend=${backend}`);
  await page.waitForSelector('#backend[data-state="ready"]');
  console.log(await page.textContent('#backend'));
  for (const panel of ['train', 'robustness', 'explain', 'fairness', 'compress']) {
    await page.click(`#panel-${panel} button[data-action="run"]`);
    await page.waitForSelector(`#panel-${panel} .status[data-state="running"]`);
    const status = await page.waitForSelector(`#panel-${panel} .status:not([data-state="running"])`, { timeout: 900_000 });
    console.log(`${panel}: ${await status.textContent()}`);
    await page.locator(`#panel-${panel}`).screenshot({ path: `${figures}playground-${panel}.png` });
  }
  const shown = await page.$$eval('[data-key]', (els) => els.map((e) => `${(e as HTMLElement).dataset.key} = ${e.textContent}`));
  console.log(shown.join('\n'));
} finally {
  await browser.close();
  server.httpServer.close();
}
