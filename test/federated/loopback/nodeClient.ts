/**
 * One federated client as its own Node process, for the loopback harness:
 *
 *   node --import tsx test/federated/loopback/nodeClient.ts <url> <clientId> <token> <driverModule> [<optionsJson>] [<retryJson>]
 *
 * `driverModule` exports `createClientDriver(options & { clientId })` returning a
 * ClientRoundDriver (or a promise of one). Prints one JSON line `{"result": ...}` on success
 * (exit 0) or `{"error": ...}` (exit 1).
 */
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { runClient } from '../../../src/federated/runtime/client.js';
import type { ClientRoundDriver } from '../../../src/federated/runtime/driver.js';

const [url, clientId, token, driverModule, optionsJson = '{}', retryJson = '{"attempts":20,"initialDelayMs":100,"maxDelayMs":1000}'] = process.argv.slice(2);
if (url === undefined || clientId === undefined || token === undefined || driverModule === undefined) {
  console.error('usage: nodeClient.ts <url> <clientId> <token> <driverModule> [<optionsJson>] [<retryJson>]');
  process.exit(2);
}

const mod = (await import(pathToFileURL(driverModule).href)) as { createClientDriver(options: unknown): ClientRoundDriver | Promise<ClientRoundDriver> };
const driver = await mod.createClientDriver({ ...(JSON.parse(optionsJson) as object), clientId });
try {
  const result = await runClient({
    url,
    clientId,
    token,
    driver,
    WebSocket,
    retry: JSON.parse(retryJson),
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify({ result: { reason: result.reason, requestsAnswered: result.requestsAnswered, connections: result.connections } }));
  process.exit(0);
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message }));
  process.exit(1);
}
