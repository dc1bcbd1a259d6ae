/**
 * Loopback harness: a real federation on one machine. The coordinator runs in the calling
 * process (a `ws` server on 127.0.0.1), each Node client in its own process
 * (`node --import tsx nodeClient.ts`), and each browser client in a Chromium tab that loads an
 * esbuild bundle of browserEntry.ts. Generic over the round drivers:
 *
 * - `serverDriverModule` exports `createServerDriver(options)` -> ServerRoundDriver (or a promise),
 * - `clientDriverModule` exports `createClientDriver(options & { clientId })` -> ClientRoundDriver
 *   (or a promise); the same module is used by Node processes and bundled for the browser.
 *
 * Faults: `killClient(id)` SIGKILLs a Node client; `restartCoordinator()` stops the coordinator
 * (connections dropped without bye), closes its server, and starts a new coordinator with a new
 * server driver on the same port, resuming from the shared file checkpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright';
import { startCoordinator, type CoordinatorEvent, type CoordinatorHandle } from '../../../src/federated/runtime/coordinator.js';
import type { Payload, ServerRoundDriver } from '../../../src/federated/runtime/driver.js';
import { listen } from './wsHelpers.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/chromium.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');

export interface LoopbackOptions {
  /** Absolute path of the module exporting `createServerDriver(options)`. */
  readonly serverDriverModule: string;
  /** JSON-like options for `createServerDriver`. */
  readonly serverDriverOptions?: unknown;
  /** Absolute path of the module exporting `createClientDriver(options & { clientId })`. */
  readonly clientDriverModule: string;
  /** JSON options for each client's `createClientDriver` (clientId is added). Default `{}`. */
  readonly clientDriverOptions?: (clientId: string) => object;
  /** Ids of the Node client processes. */
  readonly nodeClientIds: readonly string[];
  /** Ids of the browser clients (one Chromium tab each). */
  readonly browserClientIds: readonly string[];
  /** Coordinator settings. */
  readonly minClients: number;
  readonly phaseTimeoutMs: number;
  readonly maxRoundAttempts?: number;
  /** Client reconnection policy. Default 30 attempts, 100 ms .. 1 s. */
  readonly retry?: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  /**
   * How Node clients run: `'bundle'` (default) pre-bundles nodeClient.ts and the client driver
   * module with esbuild (npm packages stay external) and runs them with plain `node`, about 3x
   * faster to start than `'tsx'` (`node --import tsx nodeClient.ts`, no build step).
   */
  readonly nodeClientRunner?: 'bundle' | 'tsx';
  /** Receives coordinator, client-process and browser-console lines (prefixed). */
  readonly log?: (line: string) => void;
}

export interface ClientOutcome {
  readonly clientId: string;
  readonly kind: 'node' | 'browser';
  /** Exit code (node) or undefined (browser); null when killed by a signal. */
  readonly exitCode?: number | null;
  readonly result?: { reason: string; requestsAnswered: number; connections: number };
  readonly error?: string;
}

export interface Loopback {
  /** The coordinator's ws:// URL. */
  readonly url: string;
  /** Every coordinator event so far, across restarts. */
  readonly events: readonly CoordinatorEvent[];
  /** The current coordinator and its server driver (they change on restart). */
  readonly coordinator: CoordinatorHandle;
  readonly serverDriver: ServerRoundDriver;
  /** Resolves with the first event (past or future) satisfying `predicate`. */
  waitForEvent(predicate: (event: CoordinatorEvent) => boolean, timeoutMs?: number): Promise<CoordinatorEvent>;
  /** SIGKILLs a Node client process and waits for it to exit. */
  killClient(clientId: string): Promise<void>;
  /** Stops the coordinator without bye, then starts a fresh one (new server driver) resuming from the checkpoint. */
  restartCoordinator(): Promise<void>;
  /** Resolves with the summaries when the current coordinator completes all rounds. */
  done(): Promise<readonly Payload[]>;
  /** Waits for every client (Node process exit, browser result) and reports how each ended. */
  clientOutcomes(timeoutMs?: number): Promise<ClientOutcome[]>;
  /** Kills everything left, closes the browser and servers, removes the temp dir. */
  close(): Promise<void>;
}

/** Starts a loopback federation (see the module comment). */
export async function startLoopback(options: LoopbackOptions): Promise<Loopback> {
  const log = options.log ?? (() => {});
  const token = 'loopback-token';
  const retry = options.retry ?? { attempts: 30, initialDelayMs: 100, maxDelayMs: 1000 };
  const driverOptions = options.clientDriverOptions ?? (() => ({}));
  const dir = await mkdtemp(join(tmpdir(), 'rtfjs-loopback-'));
  // Bundles for Node must live inside the repository so their npm imports resolve from node_modules.
  await mkdir(join(here, '.build'), { recursive: true });
  const buildDir = await mkdtemp(join(here, '.build', 'run-'));
  const checkpointFile = join(dir, 'checkpoint.json');
  const checkpointStore = {
    load: () => readFile(checkpointFile, 'utf8').catch(() => undefined),
    save: async (json: string) => {
      await writeFile(`${checkpointFile}.tmp`, json);
      await rename(`${checkpointFile}.tmp`, checkpointFile); // atomic: a crash never leaves half a checkpoint
    },
  };
  const serverModule = (await import(pathToFileURL(options.serverDriverModule).href)) as {
    createServerDriver(options: unknown): ServerRoundDriver | Promise<ServerRoundDriver>;
  };

  // Coordinator (in this process).
  const events: CoordinatorEvent[] = [];
  let eventWaiters: (() => void)[] = [];
  let net = await listen();
  const port = net.port;
  const url = net.url;
  let serverDriver!: ServerRoundDriver;
  let coordinator!: CoordinatorHandle;
  let incarnation = 0;
  const startCoordinatorIncarnation = async (): Promise<void> => {
    incarnation++;
    const tag = `[coordinator#${incarnation}]`;
    serverDriver = await serverModule.createServerDriver(options.serverDriverOptions);
    coordinator = startCoordinator({
      server: net.server,
      driver: serverDriver,
      authenticate: (_id, t) => t === token,
      checkpointStore,
      minClients: options.minClients,
      phaseTimeoutMs: options.phaseTimeoutMs,
      ...(options.maxRoundAttempts !== undefined ? { maxRoundAttempts: options.maxRoundAttempts } : {}),
      log: (line) => log(`${tag} ${line}`),
      onEvent: (event) => {
        events.push(event);
        for (const w of eventWaiters.splice(0)) w();
      },
    });
  };
  await startCoordinatorIncarnation();

  // Resolves the browser entry's driver import and the package's own name to the sources.
  const resolvePlugin: Plugin = {
    name: 'loopback-resolve',
    setup(b) {
      b.onResolve({ filter: /^loopback-client-driver$/ }, () => ({ path: options.clientDriverModule }));
      b.onResolve({ filter: /^responsible-tfjs(\/.*)?$/ }, (args) => {
        const sub = args.path.slice('responsible-tfjs'.length);
        return { path: join(repo, 'src', sub === '' ? 'index.ts' : `${sub.slice(1)}/index.ts`) };
      });
    },
  };

  // Node client processes.
  const processes = new Map<string, { child: ChildProcess; exit: Promise<ClientOutcome> }>();
  let runner = ['--import', 'tsx', join(here, 'nodeClient.ts')];
  let clientDriverPath = options.clientDriverModule;
  if ((options.nodeClientRunner ?? 'bundle') === 'bundle') {
    const common: BuildOptions = { bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'silent', plugins: [resolvePlugin] };
    runner = [join(buildDir, 'nodeClient.mjs')];
    clientDriverPath = join(buildDir, 'clientDriver.mjs');
    await Promise.all([
      build({ ...common, entryPoints: [join(here, 'nodeClient.ts')], outfile: runner[0] as string }),
      build({ ...common, entryPoints: [options.clientDriverModule], outfile: clientDriverPath }),
    ]);
  }
  for (const clientId of options.nodeClientIds) {
    const child = spawn(
      process.execPath,
      [...runner, url, clientId, token, clientDriverPath, JSON.stringify(driverOptions(clientId)), JSON.stringify(retry)],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim() !== '') log(`[${clientId}] ${line}`);
    });
    const exit = new Promise<ClientOutcome>((resolveExit) => {
      child.on('exit', (code) => {
        const last = stdout.trim().split('\n').pop() ?? '';
        let parsed: { result?: ClientOutcome['result']; error?: string } = {};
        try {
          parsed = JSON.parse(last);
        } catch {
          parsed = code === null ? { error: 'killed' } : { error: `no result line (stdout: ${JSON.stringify(stdout.slice(-200))})` };
        }
        resolveExit({ clientId, kind: 'node', exitCode: code, ...parsed });
      });
    });
    processes.set(clientId, { child, exit });
  }

  // Browser clients: bundle, serve, open one tab each.
  const bundle = await build({
    entryPoints: [join(here, 'browserEntry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [resolvePlugin],
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const http: Server = createServer((req, res) => {
    if (req.url?.startsWith('/client.js') === true) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script type="module" src="/client.js"></script>');
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const httpPort = (http.address() as { port: number }).port;
  let browser: Browser | undefined;
  const pages = new Map<string, Page>();
  if (options.browserClientIds.length > 0) {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
    const context = await browser.newContext();
    for (const clientId of options.browserClientIds) {
      const page = await context.newPage();
      page.on('console', (m) => log(`[${clientId}] ${m.text()}`));
      page.on('pageerror', (e) => log(`[${clientId}] page error: ${e.message}`));
      const config = { url, clientId, token, driverOptions: driverOptions(clientId), retry };
      const encoded = Buffer.from(JSON.stringify(config)).toString('base64');
      await page.goto(`http://127.0.0.1:${httpPort}/?config=${encodeURIComponent(encoded)}`);
      pages.set(clientId, page);
    }
  }

  const harness: Loopback = {
    url,
    events,
    get coordinator() {
      return coordinator;
    },
    get serverDriver() {
      return serverDriver;
    },
    async waitForEvent(predicate, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        const found = events.slice(seen).find(predicate);
        if (found !== undefined) return found;
        seen = events.length;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('loopback: event not seen in time');
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          eventWaiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
    async killClient(clientId) {
      const p = processes.get(clientId);
      if (p === undefined) throw new Error(`loopback: no node client '${clientId}'`);
      p.child.kill('SIGKILL');
      await p.exit;
      log(`[harness] killed ${clientId}`);
    },
    async restartCoordinator() {
      coordinator.stop();
      await coordinator.done.catch(() => {});
      await net.close();
      log('[harness] coordinator stopped; restarting');
      net = await listen(port);
      await startCoordinatorIncarnation();
    },
    done: () => coordinator.done,
    async clientOutcomes(timeoutMs = 30_000) {
      const browserOutcome = async (clientId: string, page: Page): Promise<ClientOutcome> => {
        const handle = await page.waitForFunction(() => (window as unknown as { __loopbackResult?: unknown }).__loopbackResult, undefined, {
          timeout: timeoutMs,
        });
        return { clientId, kind: 'browser', ...((await handle.jsonValue()) as object) };
      };
      return Promise.all([
        ...[...processes.values()].map((p) => p.exit),
        ...[...pages].map(([id, page]) => browserOutcome(id, page)),
      ]);
    },
    async close() {
      coordinator.stop();
      for (const { child } of processes.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all([...processes.values()].map((p) => p.exit));
      await browser?.close();
      await new Promise<void>((r) => http.close(() => r()));
      await net.close();
      await rm(dir, { recursive: true, force: true });
      await rm(buildDir, { recursive: true, force: true });
    },
  };
  return harness;
}
