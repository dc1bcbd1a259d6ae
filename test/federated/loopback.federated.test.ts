/**
 * The real run: DP-FedAvg with secure aggregation and distributed noise over the loopback harness.
 * The coordinator runs in this process; 8 clients are Node processes (cpu backend) and 2 are
 * Chromium tabs (webgl backend). Three rounds, 8 of 10 clients sampled per round; two client
 * processes are SIGKILLed mid-round 2 (secure aggregation's 'shareKeys' phase) and the coordinator
 * is restarted mid-round 3 (its 'maskedInput' phase). The rounds complete, and the final model
 * equals `simulateFederated` with the same options, seed, data and the dropouts the coordinator
 * reported, up to the webgl tabs' float32 rounding (bound derived below). Every round's epsilon is
 * the simulator's exactly.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeights, simulateFederated, type FederatedOptions, type FederatedRoundSummary, type FederatedServerDriver } from '../../src/federated/index.js';
import { resolveFederatedOptions } from '../../src/federated/round/options.js';
import { planRound } from '../../src/federated/round/roundPlan.js';
import { startLoopback, type Loopback } from './loopback/harness.js';
import { makeClientData, makeModel, type LoopbackFederatedClientOptions, type LoopbackFederatedServerOptions } from './loopback/federatedDriver.js';

const driverModule = fileURLToPath(new URL('./loopback/federatedDriver.ts', import.meta.url));
const nodeIds = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
const browserIds = ['b8', 'b9'];
/** The population; a client's index is its position (the tabs are 8 and 9). */
const population = [...nodeIds, ...browserIds];
const WEBGL = new Set([8, 9]);
const PHASE_TIMEOUT_MS = 30_000;

const federated: FederatedOptions = {
  rounds: 3,
  clientLearningRate: 0.2,
  batchSize: 4,
  sampling: { method: 'uniform', clientsPerRound: 8 },
  privacy: { noiseMultiplier: 0.5, clipping: { clipNorm: 1 }, noise: 'distributed', delta: 1e-3 },
  secureAggregation: { thresholdFraction: 0.6 }, // threshold ceil(0.6 * 8) = 5: 6 survivors suffice
  seed: 'loopback-real-run',
};

/**
 * Tolerance on the final weights (max abs difference per coordinate), from what can differ:
 *
 * - Node clients train on cpu with the simulator's code, rng streams and weights: their updates,
 *   clipping, noise shares and fixed-point encodings are bit-identical, and SecAgg's modular sum is
 *   exact, so with identical weights they add no difference at all.
 * - A webgl tab's local training differs by float32 rounding on the GPU. We allow 1e-4 relative to
 *   the clip norm C on each coordinate of its (clipped, so |Δ_i| <= C) update (measured: ~6e-8 on
 *   updates of magnitude ~0.2). Its noise share is drawn in JS from the same seeded stream:
 *   identical. The tabs run webgl with WEBGL_PACK off: with tfjs's packed kernels, SwiftShader's
 *   WebGL2 drifts from cpu by 1-3% of the update from the second local SGD step on (the first step
 *   and single ops agree to 1e-7), which is not float32 rounding and would need a ~100x looser bound.
 * - Fixed-point encoding rounds each coordinate to a multiple of 1/scale (the round plan's scale):
 *   a client whose value differs may round to the other neighbour, at most 1/scale more per
 *   contributor.
 * - The mean divides the sum by the expected clients per round (DP-FedAvg's fixed denominator, 8);
 *   fedAvg adds it to the weights with server learning rate 1; both steps round to float32, so
 *   nearly equal inputs can differ by 2 ulp of the weights.
 *
 * So round r adds fresh_r = (webglContributors_r·1e-4·C + contributors_r/scale_r)/8 + 2·ulp(max|w|).
 * A difference already in the weights is carried into the next round through every client's
 * training: w ↦ w + (1/8)Σ_i clip(T_i(w) - w) with at most 8 contributors is Lipschitz with
 * constant <= 1 + (L_T + 1), where L_T bounds local training's w ↦ T_i(w) = w_local (clipping, a
 * projection onto a ball, is 1-Lipschitz). With batch 4 on <= 16 rows (<= 4 SGD steps at lr 0.2)
 * and a loss smoothness we assume <= 2 on these small inputs (|x| <= 1, 6 tanh units),
 * L_T <= (1 + 0.2·2)^4 ≈ 3.9, so we use AMP = 6 per round:
 * tol_r = AMP·tol_{r-1} + fresh_r. A wrong round (another dropout set, other noise) moves weights
 * by the noise scale, 0.5·C/8 ≈ 0.06 per coordinate, far above the resulting tolerance (~1e-3).
 */
const WEBGL_REL = 1e-4;
const AMP = 6;

let loopback: Loopback | undefined;
beforeAll(async () => {
  await tf.setBackend('cpu'); // simulateFederated in this process, on the Node clients' backend
});
afterAll(async () => {
  await loopback?.close();
});

describe('federated loopback (DP-FedAvg + secure aggregation, 8 processes + 2 webgl tabs)', () => {
  it('survives 2 killed clients and a coordinator restart; the model equals the simulator within the webgl bound', async () => {
    const lines: string[] = [];
    const t0 = Date.now();
    const debug = process.env.LOOPBACK_DEBUG !== undefined;
    const log = (line: string): void => {
      lines.push(`${Date.now() - t0} ms ${line}`);
      if (debug) console.log(`${Date.now() - t0} ms ${line}`);
    };
    // minClients is 8 (round 3 has only the 8 survivors); round 1 waits for the whole population,
    // browser tabs included, so that the tabs take part from the start.
    const beforeFirstRound = async (): Promise<readonly string[]> => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const connected = loopback?.coordinator.connectedClients() ?? [];
        if (connected.length === population.length) return connected;
        if (Date.now() > deadline) throw new Error(`only ${connected.length} clients connected before round 1`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const serverOptions: LoopbackFederatedServerOptions = { federated, population, log: (l) => log(`[server] ${l}`), beforeFirstRound };
    loopback = await startLoopback({
      serverDriverModule: driverModule,
      serverDriverOptions: serverOptions,
      clientDriverModule: driverModule,
      clientDriverOptions: (id): Omit<LoopbackFederatedClientOptions, 'clientId'> => ({ federated, population, ...(browserIds.includes(id) ? { backend: 'webgl', webglPack: false } : { backend: 'cpu' }) }),
      nodeClientIds: nodeIds,
      browserClientIds: browserIds,
      minClients: 8,
      phaseTimeoutMs: PHASE_TIMEOUT_MS,
      log,
    });
    const lb = loopback;
    try {
      // Round 2, secure aggregation's shareKeys phase: SIGKILL two selected Node clients. Their
      // sockets close, the coordinator drops them at once (not by timeout); 6 >= threshold 5 go on.
      // detectedMs: from the kill to the end of maskedInput, the last phase a victim could be in.
      const shareKeys = await lb.waitForEvent((e) => e.type === 'phaseStarted' && e.round === 2 && e.phase === 'shareKeys', 90_000);
      const victims = (shareKeys as { clientIds: readonly string[] }).clientIds.filter((id) => nodeIds.includes(id)).slice(0, 2);
      expect(victims).toHaveLength(2);
      const killedAt = Date.now();
      await Promise.all(victims.map((id) => lb.killClient(id)));
      await lb.waitForEvent((e) => e.type === 'phaseCompleted' && e.round === 2 && e.phase === 'maskedInput');
      const detectedMs = Date.now() - killedAt;
      // Round 3, mid maskedInput: restart the coordinator; it resumes from the checkpoint (2 rounds
      // done) and redoes round 3 from its start with the 8 survivors.
      await lb.waitForEvent((e) => e.type === 'phaseStarted' && e.round === 3 && e.phase === 'maskedInput', 90_000);
      await lb.restartCoordinator();
      const summaries = (await lb.done()) as unknown as FederatedRoundSummary[];
      const outcomes = await lb.clientOutcomes();
      const elapsed = Date.now() - t0;

      // Faults handled as intended.
      expect(detectedMs, 'victims dropped by disconnect, well before a phase timeout').toBeLessThan(PHASE_TIMEOUT_MS / 2);
      // A victim is dropped on its socket's close: from shareKeys (what we see), or, defensively,
      // from maskedInput had its shareKeys answer been in flight when the SIGKILL landed.
      for (const id of victims) {
        const dropLine = new RegExp(`dropped client '${id}' from round 2 phase '(shareKeys|maskedInput)': (disconnected|not connected)`);
        expect(lines.some((l) => dropLine.test(l)), `${id} dropped by disconnect in round 2`).toBe(true);
      }
      expect(lines.filter((l) => /timed out after/.test(l)), 'no phase timed out').toEqual([]);
      expect(lb.events.filter((e) => e.type === 'roundFailed'), 'no round failed').toEqual([]);
      expect(lines.some((l) => /\[coordinator#2\] resumed from checkpoint: 2 of 3 rounds complete/.test(l)), 'coordinator #2 resumed').toBe(true);
      for (const o of outcomes) {
        if (victims.includes(o.clientId)) expect(o.exitCode, o.clientId).toBeNull();
        else expect(o, o.clientId).toMatchObject({ result: { reason: 'finished' } });
      }
      for (const id of browserIds) expect(lines.some((l) => l.includes(`[${id}] ${id}: tfjs backend webgl (WEBGL_PACK false)`)), `${id} on webgl`).toBe(true);

      // Round records: everyone in round 1 (all 10 connected); killed clients never after the kill.
      const victimIndex = victims.map((id) => population.indexOf(id));
      expect(summaries).toHaveLength(3);
      expect(summaries[0]!.contributors).toEqual(summaries[0]!.selected);
      for (const s of summaries.slice(1)) for (const v of victimIndex) expect(s.contributors).not.toContain(v);
      expect(summaries[1]!.contributors).toEqual(summaries[1]!.selected.filter((c) => !victimIndex.includes(c)));
      // The survivors all reconnected to coordinator #2 and contributed to round 3 when selected.
      expect(summaries[2]!.contributors).toEqual(summaries[2]!.selected.filter((c) => !victimIndex.includes(c)));
      for (const s of summaries) expect(s.aborted).toBeUndefined();

      // The simulator, replaying the coordinator's dropouts (selected, not contributing) at 'train':
      // SecAgg's sum over the survivors is exact, so it is the same sum whenever they dropped.
      const dropped = summaries.map((s) => s.selected.filter((c) => !s.contributors.includes(c)));
      const sim = await simulateFederated({
        ...federated,
        model: makeModel(),
        clients: population.map((_, i) => makeClientData(i)),
        dropouts: (round) => (dropped[round]!.length > 0 ? [{ clients: dropped[round]!, phase: 'train' }] : []),
      });
      expect(sim.rounds.map((r) => r.selected)).toEqual(summaries.map((s) => s.selected));
      expect(sim.rounds.map((r) => r.contributors)).toEqual(summaries.map((s) => s.contributors));
      // Privacy per round: exactly the simulator's (same delivered noise, same accountant).
      summaries.forEach((s, r) => {
        expect(s.epsilon, `round ${r + 1}`).toBe(sim.rounds[r]!.privacy!.epsilon);
        expect(s.noiseMultiplier).toBe(sim.rounds[r]!.noiseMultiplier);
      });

      // Final weights, within the derived tolerance.
      const net = (lb.serverDriver as FederatedServerDriver).state.weights;
      const ref = sim.state.weights;
      expect(net.length).toBe(ref.length);
      const resolved = resolveFederatedOptions('test', federated, population.length);
      const clipNorm = 1;
      const denominator = 8;
      let tol = 0;
      let maxAbsW = 0;
      for (const v of ref) maxAbsW = Math.max(maxAbsW, Math.abs(v));
      const ulp = 2 ** (Math.floor(Math.log2(maxAbsW)) - 23);
      summaries.forEach((s, r) => {
        const scale = planRound(resolved, { round: r, clipNorm, selectedClients: s.selected.length, numClients: population.length, size: ref.length }).fixedPoint!.scale;
        const webgl = s.contributors.filter((c) => WEBGL.has(c)).length;
        tol = AMP * tol + (webgl * WEBGL_REL * clipNorm + s.contributors.length / scale) / denominator + 2 * ulp;
      });
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs((net[i] as number) - (ref[i] as number)));
      console.log(`loopback federated: ${elapsed} ms; killed ${victims.join(', ')} (maskedInput done ${detectedMs} ms after the kill); max |net - sim| = ${maxDiff.toExponential(3)} (tolerance ${tol.toExponential(3)}); ` +
        `webgl contributors per round ${summaries.map((s) => s.contributors.filter((c) => WEBGL.has(c)).length).join('/')}; epsilon ${summaries.map((s) => s.epsilon?.toFixed(3)).join('/')}`);
      expect(net.every(Number.isFinite)).toBe(true);
      expect(maxDiff).toBeLessThanOrEqual(tol);
      // The run moved the model (a comparison of two unchanged models would prove nothing).
      const w0 = (await readWeights(makeModel())).values;
      let moved = 0;
      for (let i = 0; i < w0.length; i++) moved = Math.max(moved, Math.abs((ref[i] as number) - (w0[i] as number)));
      console.log(`loopback federated: max |final - initial| = ${moved.toExponential(3)}`);
      expect(moved).toBeGreaterThan(20 * tol);
    } catch (e) {
      console.error(lines.slice(-80).join('\n'));
      throw e;
    }
  }, 150_000);
});
