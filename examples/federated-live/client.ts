/**
 * One Node client of federated-live, run as its own process by live.ts:
 *
 *   node --import tsx examples/federated-live/client.ts <url> <clientId> <token> <index> <population> <rounds>
 *
 * It reads the digits itself and recomputes its Dirichlet share from the shared seed: real clients
 * hold their own data, and nothing but model updates (masked and noised) leaves the process.
 * Prints one JSON line `{"result": ...}` and exits 0 when the coordinator says bye, or
 * `{"error": ...}` and exits 1.
 */
import { WebSocket } from 'ws';
import { runClient } from 'responsible-tfjs/federated';
import { setupBackend } from '../shared/backend.js';
import { loadDigits } from '../shared/data.js';
import { describeLabels, liveClientDriver, livePartition, selectRows } from './shared.js';

const [url, clientId, token, indexArg, populationArg, roundsArg] = process.argv.slice(2);
if (url === undefined || clientId === undefined || token === undefined || indexArg === undefined || populationArg === undefined || roundsArg === undefined) {
  console.error('usage: client.ts <url> <clientId> <token> <index> <population> <rounds>');
  process.exit(2);
}
const index = Number(indexArg);
const population = Number(populationArg);
const rounds = Number(roundsArg);

try {
  await setupBackend();
  const { train } = loadDigits();
  const rows = livePartition(train.y, population)[index];
  if (rows === undefined) throw new Error(`no partition ${index} of ${population}`);
  const data = selectRows(train, rows);
  console.error(`${describeLabels(data.y)}`);
  const result = await runClient({
    url, clientId, token,
    driver: liveClientDriver(data, population, rounds),
    WebSocket: WebSocket as never,
    retry: { attempts: 20, initialDelayMs: 100, maxDelayMs: 1000 },
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify({ result: { reason: result.reason, requestsAnswered: result.requestsAnswered, connections: result.connections } }));
  process.exit(0);
} catch (e) {
  console.log(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
  process.exit(1);
}
