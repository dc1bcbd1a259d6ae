/**
 * Browser entry of the loopback harness, bundled by esbuild. `loopback-client-driver` is resolved
 * by the harness to the client driver module under test. The page's query string carries the
 * client's configuration as base64 JSON (`?config=...`); the outcome lands in
 * `window.__loopbackResult`.
 */
import { runClient } from '../../../src/federated/runtime/client.js';
// @ts-expect-error resolved at bundle time by the harness's esbuild plugin
import * as driverModule from 'loopback-client-driver';
import type { ClientRoundDriver } from '../../../src/federated/runtime/driver.js';

interface Config {
  url: string;
  clientId: string;
  token: string;
  driverOptions: object;
  retry: { attempts: number; initialDelayMs: number; maxDelayMs: number };
}

const target = window as unknown as { __loopbackResult?: unknown };
const config = JSON.parse(atob(new URLSearchParams(location.search).get('config') ?? '')) as Config;
const create = (driverModule as { createClientDriver(options: unknown): ClientRoundDriver | Promise<ClientRoundDriver> }).createClientDriver;

(async () => {
  const driver = await create({ ...config.driverOptions, clientId: config.clientId });
  const result = await runClient({
    url: config.url,
    clientId: config.clientId,
    token: config.token,
    driver,
    retry: config.retry,
    log: (line) => console.log(line),
  });
  target.__loopbackResult = { result: { reason: result.reason, requestsAnswered: result.requestsAnswered, connections: result.connections } };
})().catch((e: unknown) => {
  target.__loopbackResult = { error: e instanceof Error ? e.message : String(e) };
});
