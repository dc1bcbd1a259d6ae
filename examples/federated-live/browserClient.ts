/**
 * The browser client of federated-live, bundled by live.ts with esbuild and opened in a Chromium
 * tab. The page's fragment carries its configuration (`#<base64 JSON>`, never sent over HTTP);
 * its rows of the digits come from the coordinator process's HTTP server as JSON (a page cannot
 * read the CSV from disk), behind the same per-client token. The outcome lands in
 * `window.__liveResult`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { runClient } from 'responsible-tfjs/federated';
import { describeLabels, liveClientDriver, type ClientData } from './shared.js';

interface PageConfig {
  readonly url: string;
  readonly clientId: string;
  readonly token: string;
  readonly population: number;
  readonly rounds: number;
}

const target = window as unknown as { __liveResult?: unknown };
const config = JSON.parse(atob(location.hash.slice(1))) as PageConfig;

(async () => {
  // cpu: the model is tiny, and it needs no GPU in a headless tab.
  await tf.setBackend('cpu');
  const response = await fetch(`/data/${encodeURIComponent(config.clientId)}`, { headers: { authorization: `Bearer ${config.token}` } });
  if (!response.ok) throw new Error(`data request failed: ${response.status}`);
  const data = (await response.json()) as ClientData;
  console.log(describeLabels(data.y));
  const result = await runClient({
    url: config.url,
    clientId: config.clientId,
    token: config.token,
    driver: liveClientDriver(data, config.population, config.rounds),
    retry: { attempts: 20, initialDelayMs: 100, maxDelayMs: 1000 },
    log: (line) => console.log(line),
  });
  target.__liveResult = { result: { reason: result.reason, requestsAnswered: result.requestsAnswered, connections: result.connections } };
})().catch((e: unknown) => {
  target.__liveResult = { error: e instanceof Error ? e.message : String(e) };
});
