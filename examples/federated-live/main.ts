/**
 * Federated learning over real sockets on one machine: a coordinator (a `ws` server on a free
 * localhost port, a random token per client, a file checkpoint after every round) and clients in
 * separate Node processes, optionally also in Chromium tabs, each holding a Dirichlet(0.5)
 * non-IID share of the UCI digits' training split. Ten rounds of DP-FedAvg with user-level
 * differential privacy (adaptive clipping, noise added in shares by the clients) under secure
 * aggregation, so that the coordinator only ever sees the noised sum. Per round it prints the
 * contributors, the global model's test accuracy, the clip norm and the user-level epsilon spent.
 *
 * Run: npm run example -- federated-live [--clients N] [--browser K] [--rounds R] [--port P] [--kill] [--verbose] [--backend cpu|wasm]
 *   --clients N  Node client processes (default 6)
 *   --browser K  Chromium tabs as further clients (default 0; needs /usr/bin/chromium or CHROMIUM_PATH)
 *   --rounds R   rounds (default 10)
 *   --port P     coordinator port (default 0: a free one)
 *   --kill       SIGKILL one Node client mid-round halfway through, to show dropout tolerance
 *   --verbose    also print the coordinator's and clients' connection logs
 *
 * Every random choice is seeded (shared.ts) so that the printed figures reproduce; that is for
 * the demonstration only. A real deployment leaves `seed` out (noise and masks then come from
 * crypto.getRandomValues), hands tokens out of band rather than on a command line, and serves wss://.
 * With 6 to 8 users, user-level DP cannot give a small epsilon: it protects a whole user's data,
 * and a handful of users cannot hide one another. The figures show the mechanics, not a useful budget.
 */
import { setupBackend } from '../shared/backend.js';
import { reproduceCommand, runLive } from './live.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
}

const options = {
  clients: flag('--clients', 6),
  browser: flag('--browser', 0),
  rounds: flag('--rounds', 10),
  port: flag('--port', 0),
  kill: process.argv.includes('--kill'),
  verbose: process.argv.includes('--verbose'),
};

const backend = await setupBackend();
const controller = new AbortController();
// Ctrl-C stops the coordinator; runLive then kills the clients and closes the browser.
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());
const log = (line: string): void => console.log(line);

try {
  const r = await runLive({ ...options, log, signal: controller.signal });
  const sizes = [...r.partitionSizes].sort((a, b) => a - b);
  console.log(`\n${r.rounds.length} rounds in ${r.seconds.toFixed(1)} s (coordinator backend ${backend}); examples per client min ${sizes[0]}, max ${sizes.at(-1)}`);
  console.log(`final test accuracy ${r.rounds.at(-1)!.accuracy.toFixed(3)}, user-level epsilon ${r.epsilon.toFixed(2)} at delta ${r.delta} (seeded: reproducible, for demonstration only)`);
  if (r.killed !== undefined) console.log(`killed ${r.killed}; the rounds went on without it`);
  for (const c of r.clients) {
    const how = c.result !== undefined ? `${c.result.reason}, ${c.result.requestsAnswered} requests answered` : `ended: ${c.error ?? 'unknown'}`;
    console.log(`  ${c.clientId} (${c.kind}${c.pid !== undefined ? ` pid ${c.pid}` : ''}): ${how}`);
  }
  console.log(`\ncheckpoint (global weights, clip state, privacy ledger, round summaries): ${r.checkpointPath}`);
  console.log(`reproduce: ${reproduceCommand(options)}`);
  process.exitCode = 0;
} catch (e) {
  if (controller.signal.aborted) {
    console.error('federated-live stopped; client processes and browser closed');
    process.exitCode = 130;
  } else {
    console.error(`federated-live failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
