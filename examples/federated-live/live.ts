/**
 * The federated-live run, importable so that a test can run it at a tiny size: a coordinator in
 * this process (a `ws` server on 127.0.0.1, per-client random tokens, a file checkpoint), Node
 * clients as child processes and optionally browser clients as Chromium tabs, training the digits
 * MLP with user-level DP (distributed noise, adaptive clipping) under secure aggregation. The
 * global model is evaluated on the test split after every round, in the coordinator only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, rename, rm, writeFile, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { WebSocketServer } from 'ws';
import {
  evaluateClient, federatedServerDriver, readWeights, startCoordinator,
  type CoordinatorEvent, type FederatedRoundSummary, type ServerRoundDriver,
} from 'responsible-tfjs/federated';
import { loadDigits } from '../shared/data.js';
import { DELTA, liveModel, liveOptions, livePartition, populationIds, selectRows } from './shared.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../..');

/** Sizes and switches of a run (main.ts maps the command-line flags onto these). */
export interface LiveOptions {
  /** Node client processes. */
  readonly clients: number;
  /** Chromium tabs (0: no browser is launched). */
  readonly browser: number;
  readonly rounds: number;
  /** Coordinator port; 0 picks a free one. */
  readonly port?: number;
  /** SIGKILL one Node client in the middle of a round halfway through the run. */
  readonly kill?: boolean;
  /** Where the checkpoint goes (default examples/output/federated-live). */
  readonly outDir?: string;
  /** Receives the progress lines (default: none). */
  readonly log?: (line: string) => void;
  /** Also forward every client's own log lines (connections, retries). */
  readonly verbose?: boolean;
  /** Per-phase timeout of the coordinator. */
  readonly phaseTimeoutMs?: number;
  /** Stops the run (e.g. on Ctrl-C); everything started is still shut down. */
  readonly signal?: AbortSignal;
}

/** What one round did, as printed. */
export interface LiveRound {
  /** From 1. */
  readonly round: number;
  readonly selected: readonly string[];
  readonly contributors: readonly string[];
  readonly accuracy: number;
  readonly clipNorm: number;
  readonly epsilon: number;
  readonly aborted: boolean;
}

/** How each client ended. */
export interface LiveClientOutcome {
  readonly clientId: string;
  readonly kind: 'node' | 'browser';
  /** Process id (Node clients only). */
  readonly pid?: number;
  /** Exit code; null when killed by a signal. */
  readonly exitCode?: number | null;
  readonly result?: { reason: string; requestsAnswered: number; connections: number };
  readonly error?: string;
}

/** The outcome of {@link runLive}. */
export interface LiveResult {
  readonly url: string;
  readonly population: readonly string[];
  readonly partitionSizes: readonly number[];
  readonly rounds: readonly LiveRound[];
  readonly epsilon: number;
  readonly delta: number;
  readonly checkpointPath: string;
  readonly clients: readonly LiveClientOutcome[];
  /** The client killed by `kill`, if any. */
  readonly killed?: string;
  readonly seconds: number;
}

/** Constant-time token check: a timing difference must not tell an attacker how much of a token was right. */
function tokenMatches(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Runs one federation end to end and shuts everything down (child processes, browser, servers)
 * whether it succeeds or fails. The tfjs backend of this process must be set by the caller.
 */
export async function runLive(options: LiveOptions): Promise<LiveResult> {
  const started = performance.now();
  const sink = options.log ?? (() => {});
  // Lines are queued: a round's line waits for its evaluation, and what happened after it (a
  // dropout in the next round) must not be printed before it.
  let printing: Promise<unknown> = Promise.resolve();
  const log = (line: string): void => void (printing = printing.then(() => sink(line)).catch(() => {}));
  const { clients: nodeCount, browser: browserCount, rounds } = options;
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw new Error(`--clients must be a positive integer, got ${nodeCount}`);
  if (!Number.isInteger(browserCount) || browserCount < 0) throw new Error(`--browser must be a non-negative integer, got ${browserCount}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${rounds}`);
  const population = populationIds(nodeCount, browserCount);
  if (population.length < 3) throw new Error('secure aggregation needs at least 3 clients in all (--clients plus --browser)');
  if (options.kill === true && nodeCount < 2) throw new Error('--kill needs at least 2 Node clients');
  const fedOptions = liveOptions(rounds, population.length);
  const clientsPerRound = (fedOptions.sampling as { clientsPerRound: number }).clientsPerRound;

  // Data: the coordinator holds only the test split; the partition is recomputed here to serve
  // the browser tabs their rows and to print the split.
  const { train, test } = loadDigits();
  const partition = livePartition(train.y, population.length);
  const tokens = new Map(population.map((id) => [id, randomBytes(24).toString('base64url')]));

  const outDir = options.outDir ?? join(repo, 'examples/output/federated-live');
  await mkdir(outDir, { recursive: true });
  const checkpointPath = join(outDir, 'checkpoint.json');
  // A fresh run: a checkpoint of an earlier run (maybe of another size) would be resumed otherwise.
  await rm(checkpointPath, { force: true });
  const checkpointStore = {
    load: () => readFile(checkpointPath, 'utf8').catch(() => undefined),
    save: async (json: string) => {
      // Write then rename: a crash mid-write leaves the previous checkpoint intact.
      await writeFile(`${checkpointPath}.tmp`, json);
      await rename(`${checkpointPath}.tmp`, checkpointPath);
    },
  };

  // Everything started, so that finally{} can stop it.
  const children = new Map<string, { child: ChildProcess; exit: Promise<LiveClientOutcome> }>();
  let wss: WebSocketServer | undefined;
  let http: Server | undefined;
  let browser: import('playwright').Browser | undefined;
  let coordinator: ReturnType<typeof startCoordinator> | undefined;
  const xTest = tf.tensor2d(test.x, [test.n, 64]);
  const yTest = tf.tensor1d(test.y, 'int32');
  const evalModel = liveModel();

  // Rejects when a client process dies unexpectedly or the caller aborts: every wait below races
  // it, so that a stop during start-up (bundling, launching Chromium) does not wait for start-up.
  let failure!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => {});
  const onAbort = (): void => failure(new Error('stopped'));
  if (options.signal?.aborted === true) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failed]);
  let launching: Promise<import('playwright').Browser> | undefined;

  try {
    wss = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 });
    await new Promise<void>((ok, fail) => {
      wss!.once('listening', ok);
      wss!.once('error', fail);
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    log(`coordinator listening on ${url}; ${population.length} clients (${nodeCount} Node processes${browserCount > 0 ? `, ${browserCount} Chromium tab${browserCount > 1 ? 's' : ''}` : ''}), ${clientsPerRound} sampled per round, ${rounds} rounds`);
    const privacy = fedOptions.privacy!;
    log(`DP-FedAvg: noise multiplier ${privacy.noiseMultiplier} added in shares by the clients (full noise from any ${privacy.minSurvivingClients}), adaptive clipping from ${(privacy.clipping as { adaptive: { initialClipNorm: number } }).adaptive.initialClipNorm} toward the median update norm, secure aggregation (threshold ${Math.max(2, Math.ceil((fedOptions.secureAggregation!.thresholdFraction ?? 2 / 3) * clientsPerRound))} of ${clientsPerRound})`);

    // Per-round evaluation. The driver's onRound hook is synchronous, so it only starts the
    // evaluation; the chain keeps them in order and the round's line waits for its accuracy.
    let evalChain: Promise<unknown> = Promise.resolve();
    const accuracies = new Map<number, Promise<number>>();
    const { values: initialWeights } = await readWeights(liveModel());
    const driver = federatedServerDriver({
      ...fedOptions,
      initialWeights,
      population,
      log: (line) => log(`[coordinator] ${line}`),
      onRound: (state) => {
        const weights = Float32Array.from(state.weights);
        const accuracy = evalChain.then(() => evaluateClient({ model: evalModel, weights, x: xTest, y: yTest })).then((e) => e.accuracy);
        evalChain = accuracy.catch(() => {});
        accuracies.set(state.round, accuracy);
      },
    });

    // Round 1 waits for the whole population, so that a slow start is not reported as dropouts;
    // later rounds need only a round's worth of clients, so a dead client does not stall the run.
    let everyone!: () => void;
    const allConnected = new Promise<void>((r) => (everyone = r));
    const gated: ServerRoundDriver = {
      get rounds() { return driver.rounds; },
      beginRound: async (round, connected) => {
        if (round === 1 && connected.length < population.length) {
          await Promise.race([allConnected, new Promise((r) => setTimeout(r, 60_000).unref())]);
          return driver.beginRound(round, coordinator!.connectedClients());
        }
        return driver.beginRound(round, connected);
      },
      advance: (phase, responses) => driver.advance(phase, responses),
      checkpoint: () => driver.checkpoint(),
      restore: (state) => driver.restore(state),
    };

    const summaries: LiveRound[] = [];
    let killed: string | undefined;
    const killRound = Math.max(1, Math.ceil(rounds / 2));

    const onEvent = (event: CoordinatorEvent): void => {
      if (event.type === 'clientConnected' && coordinator !== undefined && coordinator.connectedClients().length >= population.length) everyone();
      // --kill: during secure aggregation's masked-input phase, after the victim has shared its
      // keys, so the survivors must reconstruct its masks for the sum to come out.
      if (options.kill === true && killed === undefined && event.type === 'phaseStarted' && event.round === killRound && event.phase === 'maskedInput') {
        const victim = [...event.clientIds].reverse().find((id) => id.startsWith('node-'));
        const entry = victim === undefined ? undefined : children.get(victim);
        if (victim !== undefined && entry !== undefined) {
          killed = victim;
          log(`--kill: SIGKILL ${victim} (pid ${entry.child.pid}) in round ${event.round}, phase ${event.phase}`);
          entry.child.kill('SIGKILL');
        }
      }
      if (event.type === 'roundCompleted') {
        const s = event.summary as unknown as FederatedRoundSummary;
        const accuracy = accuracies.get(event.round) ?? Promise.resolve(Number.NaN);
        const ready = accuracy.then((a) => a, () => Number.NaN);
        printing = printing.then(async () => {
          const row: LiveRound = {
            round: event.round,
            selected: s.selected.map((c) => population[c] as string),
            contributors: s.contributors.map((c) => population[c] as string),
            accuracy: await ready,
            clipNorm: s.clipNorm ?? Number.NaN,
            epsilon: s.epsilon ?? Number.NaN,
            aborted: s.aborted === true,
          };
          summaries.push(row);
          const missing = row.selected.filter((id) => !row.contributors.includes(id));
          sink(
            `round ${String(row.round).padStart(2)}/${rounds}: ${row.contributors.length} of ${row.selected.length} selected contributed [${row.contributors.join(' ')}]` +
              `${missing.length > 0 ? ` (dropped: ${missing.join(', ')})` : ''}${row.aborted ? ' [aborted: nothing released]' : ''}, ` +
              `test accuracy ${row.accuracy.toFixed(3)}, clip norm ${row.clipNorm.toFixed(3)}, user-level epsilon ${row.epsilon.toFixed(2)} (delta ${DELTA})`,
          );
        });
      }
    };

    coordinator = startCoordinator({
      server: wss,
      driver: gated,
      authenticate: (id, token) => tokenMatches(tokens.get(id), token),
      checkpointStore,
      minClients: clientsPerRound,
      phaseTimeoutMs: options.phaseTimeoutMs ?? 30_000,
      log: (line) => { if (options.verbose === true || /failed|stopped|rejected|resumed/.test(line)) log(`[coordinator] ${line}`); },
      onEvent,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });

    // Node clients: one process each.
    for (let i = 0; i < nodeCount; i++) {
      const id = population[i] as string;
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(here, 'client.ts'), url, id, tokens.get(id) as string, String(i), String(population.length), String(rounds)],
        { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      let first = true;
      child.stderr?.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n')) {
          if (line.trim() === '') continue;
          // The first line is the client's data summary; the rest is runClient's own log.
          if (first || options.verbose === true) log(`[${id}] ${line}`);
          first = false;
        }
      });
      const exit = new Promise<LiveClientOutcome>((done) => {
        child.on('exit', (code) => {
          const last = stdout.trim().split('\n').pop() ?? '';
          let parsed: Pick<LiveClientOutcome, 'result' | 'error'>;
          try {
            parsed = JSON.parse(last) as Pick<LiveClientOutcome, 'result' | 'error'>;
          } catch {
            parsed = { error: code === null ? 'killed' : `exited with code ${code} without a result line` };
          }
          if (code !== 0 && killed !== id) failure(new Error(`client ${id} exited with code ${code}: ${parsed.error ?? ''}`));
          done({ clientId: id, kind: 'node', ...(child.pid !== undefined ? { pid: child.pid } : {}), exitCode: code, ...parsed });
        });
      });
      children.set(id, { child, exit });
    }

    // Browser clients: one tab each, served by a small HTTP server in this process.
    const pages = new Map<string, import('playwright').Page>();
    if (browserCount > 0) {
      const { build } = await guard(import('esbuild'));
      const bundle = await guard(build({
        entryPoints: [join(here, 'browserClient.ts')],
        bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
        plugins: [{
          name: 'responsible-tfjs-source',
          setup(b) {
            // The package's own name, resolved to the sources as tsconfig's paths do for tsx.
            b.onResolve({ filter: /^responsible-tfjs(\/.*)?$/ }, (args) => {
              const sub = args.path.slice('responsible-tfjs'.length);
              return { path: join(repo, 'src', sub === '' ? 'index.ts' : `${sub.slice(1)}/index.ts`) };
            });
          },
        }],
      }));
      const script = bundle.outputFiles[0]?.text ?? '';
      http = createServer((req, res) => {
        const path = req.url ?? '/';
        if (path.startsWith('/client.js')) {
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        } else if (path.startsWith('/data/')) {
          // A tab gets its own rows only, and only with its token.
          const id = decodeURIComponent(path.slice('/data/'.length));
          const index = population.indexOf(id);
          const auth = req.headers.authorization ?? '';
          if (index < nodeCount || !tokenMatches(tokens.get(id), auth.replace(/^Bearer /, ''))) {
            res.writeHead(403).end();
            return;
          }
          const rows = selectRows(train, partition[index] as Int32Array);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ x: Array.from(rows.x), y: Array.from(rows.y) }));
        } else {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>federated-live client</title><script type="module" src="/client.js"></script>');
        }
      });
      await new Promise<void>((r) => http!.listen(0, '127.0.0.1', () => r()));
      const httpPort = (http.address() as { port: number }).port;
      const { chromium } = await guard(import('playwright'));
      log(`bundled the browser client (${Math.round(script.length / 1024)} KiB); opening ${browserCount} Chromium tab${browserCount > 1 ? 's' : ''}`);
      launching = chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
      browser = await guard(launching);
      const context = await guard(browser.newContext());
      for (let k = 0; k < browserCount; k++) {
        const id = population[nodeCount + k] as string;
        const page = await guard(context.newPage());
        let first = true;
        page.on('console', (m) => {
          if (first || options.verbose === true) log(`[${id}] ${m.text()}`);
          first = false;
        });
        page.on('pageerror', (e) => log(`[${id}] page error: ${e.message}`));
        const config = { url, clientId: id, token: tokens.get(id), population: population.length, rounds };
        await guard(page.goto(`http://127.0.0.1:${httpPort}/#${Buffer.from(JSON.stringify(config)).toString('base64')}`));
        pages.set(id, page);
      }
    }

    await Promise.race([coordinator.done, failed]);
    await printing;
    const outcomes = await Promise.race([
      Promise.all([
        ...[...children.values()].map((c) => c.exit),
        ...[...pages].map(async ([id, page]): Promise<LiveClientOutcome> => {
          const handle = await page.waitForFunction(() => (window as unknown as { __liveResult?: unknown }).__liveResult, undefined, { timeout: 30_000 });
          return { clientId: id, kind: 'browser', ...((await handle.jsonValue()) as object) };
        }),
      ]),
      failed,
    ]);
    const last = summaries.at(-1);
    return {
      url,
      population,
      partitionSizes: partition.map((p) => p.length),
      rounds: summaries,
      epsilon: last?.epsilon ?? Number.NaN,
      delta: DELTA,
      checkpointPath,
      clients: outcomes,
      ...(killed !== undefined ? { killed } : {}),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await printing.catch(() => {});
    coordinator?.stop();
    await coordinator?.done.catch(() => {});
    for (const { child } of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([...children.values()].map((c) => c.exit));
    // A launch interrupted by a stop still yields a browser, which must be closed too.
    await (browser ?? (await launching?.catch(() => undefined)))?.close();
    options.signal?.removeEventListener('abort', onAbort);
    if (http !== undefined) await new Promise<void>((r) => http!.close(() => r()));
    if (wss !== undefined) {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss!.close(() => r()));
    }
    tf.dispose([xTest, yTest]);
    evalModel.dispose();
  }
}

/** The command that reproduces a run (the seed is fixed in shared.ts). */
export function reproduceCommand(options: Pick<LiveOptions, 'clients' | 'browser' | 'rounds' | 'kill'>): string {
  return `npm run example -- federated-live --clients ${options.clients} --rounds ${options.rounds}${options.browser > 0 ? ` --browser ${options.browser}` : ''}${options.kill === true ? ' --kill' : ''}`;
}

