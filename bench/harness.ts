/**
 * Benchmark harness: side-by-side measurements in one run, medians and ratios, machine and backend
 * recorded. Results print as a table and are written to bench/results/<suite>.json (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

export type BenchBackend = 'cpu' | 'wasm';

/** Registers and selects a backend. */
export async function useBenchBackend(name: BenchBackend): Promise<void> {
  tf.env().set('PROD', true);
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(name);
  await tf.ready();
}

/** Backends to run: `--backend cpu,wasm` on the command line, both by default. */
export function benchBackends(): BenchBackend[] {
  const i = process.argv.indexOf('--backend');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.RTF_BACKENDS;
  return (raw ?? 'cpu,wasm').split(',').map((s) => s.trim()) as BenchBackend[];
}

export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
}

/**
 * Times `fn` (sync or async): `warmup` unmeasured runs, then runs until both `minRuns` and
 * `minTimeMs` are reached (capped at `maxRuns`). Returns the median and spread.
 */
export async function measure(
  fn: () => unknown,
  opts: { warmup?: number; minRuns?: number; maxRuns?: number; minTimeMs?: number } = {},
): Promise<Timing> {
  const { warmup = 2, minRuns = 5, maxRuns = 200, minTimeMs = 500 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - start < minTimeMs)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]!, runs: times.length };
}

/** The machine a result was measured on. */
export function machineInfo(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    tfjs: tf.version_core,
    date: new Date().toISOString(),
  };
}

export interface BenchRow {
  readonly case: string;
  readonly backend?: string;
  readonly [key: string]: string | number | undefined;
}

/** Prints rows as an aligned table. */
export function printTable(title: string, rows: readonly BenchRow[]): void {
  if (rows.length === 0) return;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3)) : String(v ?? '');
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  console.log(`\n${title}`);
  console.log(keys.map((k, i) => k.padEnd(widths[i]!)).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(keys.map((k, i) => cell(r[k]).padEnd(widths[i]!)).join('  '));
}

/** Writes bench/results/<suite>.json with the machine and every row, and prints where. */
export function writeResults(suite: string, rows: readonly BenchRow[], extra: Record<string, unknown> = {}): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${suite}.json`;
  writeFileSync(path, JSON.stringify({ suite, machine: machineInfo(), ...extra, rows }, null, 2));
  console.log(`\nmachine: ${JSON.stringify(machineInfo())}\nresults written to ${path}`);
  return path;
}
