import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  agreementContext, decryptFromPeer, deriveSharedSecret, detectAgreementCurve, encryptForPeer, expandMask,
  exportPrivateKey, generateAgreementKeyPair, importPrivateKey, neighbourGraph, SecAggError, type KeyAgreementCurve,
} from '../../src/federated/secagg/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

async function expectSecAgg(call: () => Promise<unknown>, kind: string): Promise<void> {
  const error = await call().then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SecAggError);
  expect((error as SecAggError).kind).toBe(kind);
  expect((error as SecAggError).code).toBe('INVALID_ARGUMENT');
}

describe('mask PRG (AES-256-CTR)', () => {
  it('is deterministic, seed-sensitive and matches an independent AES-CTR keystream', async () => {
    const seed = new Uint8Array(32).map((_, i) => i);
    const a = await expandMask(seed, 1000);
    expect(await expandMask(seed, 1000)).toEqual(a);
    expect((await expandMask(seed, 10)).slice()).toEqual(a.slice(0, 10)); // a prefix of the same stream
    const other = seed.slice();
    other[31] = (other[31] as number) ^ 1;
    const b = await expandMask(other, 1000);
    expect(a.filter((w, i) => w === b[i]).length).toBeLessThan(3);
    // Reference: Node's OpenSSL AES-256-CTR over zeros, counter block 0, little-endian words.
    const cipher = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
    const stream = Buffer.concat([cipher.update(Buffer.alloc(4000)), cipher.final()]);
    for (let i = 0; i < 1000; i++) expect(a[i]).toBe(stream.readUInt32LE(4 * i));
    expect(await expandMask(seed, 0)).toEqual(new Uint32Array(0));
  });

  it('gives words that look uniform (mean and low bit)', async () => {
    const words = await expandMask(crypto.getRandomValues(new Uint8Array(32)), 100000);
    let mean = 0;
    let odd = 0;
    for (const w of words) {
      mean += w / words.length;
      odd += w & 1;
    }
    // sd of the mean: 2^32 / sqrt(12 * 1e5) ~ 3.9e6; of the odd count: 158. Six of each.
    expect(Math.abs(mean - 2 ** 31)).toBeLessThan(6 * 3.93e6);
    expect(Math.abs(odd - 50000)).toBeLessThan(6 * 158);
  });

  it('refuses bad seeds and lengths', async () => {
    await expect(expandMask(new Uint8Array(16), 4)).rejects.toThrow(/32 bytes/);
    await expect(expandMask(new Uint8Array(32), -1)).rejects.toThrow(/>= 0/);
  });
});

describe('key agreement', () => {
  it('detects X25519 on Node 20 and falls back to P-256 otherwise', async () => {
    expect(['X25519', 'P-256']).toContain(await detectAgreementCurve());
  });

  for (const curve of ['X25519', 'P-256'] as KeyAgreementCurve[]) {
    it(`derives the same 32 bytes at both ends, bound to the context (${curve})`, async () => {
      const a = await generateAgreementKeyPair({ curve });
      const b = await generateAgreementKeyPair({ curve });
      expect(a.publicKey.length).toBe(curve === 'X25519' ? 32 : 65);
      const context = agreementContext({ purpose: 'mask', round: 4, a: 9, b: 2 });
      expect(context).toBe(agreementContext({ purpose: 'mask', round: 4, a: 2, b: 9 }));
      const ab = await deriveSharedSecret({ privateKey: a.privateKey, publicKey: b.publicKey, curve, context });
      const ba = await deriveSharedSecret({ privateKey: b.privateKey, publicKey: a.publicKey, curve, context });
      expect(ab).toHaveLength(32);
      expect(ab).toEqual(ba);
      const otherRound = agreementContext({ purpose: 'mask', round: 5, a: 2, b: 9 });
      const otherPurpose = agreementContext({ purpose: 'encrypt', round: 4, a: 2, b: 9 });
      for (const c of [otherRound, otherPurpose]) {
        expect(await deriveSharedSecret({ privateKey: a.privateKey, publicKey: b.publicKey, curve, context: c })).not.toEqual(ab);
      }
      // A private key survives a PKCS#8 round trip (what dropout recovery relies on).
      const restored = await importPrivateKey(await exportPrivateKey(a.privateKey), curve);
      expect(await deriveSharedSecret({ privateKey: restored, publicKey: b.publicKey, curve, context })).toEqual(ab);
    });
  }

  it('refuses invalid public and private keys', async () => {
    const a = await generateAgreementKeyPair({ curve: 'P-256' });
    const notAPoint = new Uint8Array(65).fill(7);
    notAPoint[0] = 4;
    await expectSecAgg(() => deriveSharedSecret({ privateKey: a.privateKey, publicKey: notAPoint, curve: 'P-256', context: 'x' }), 'badKey');
    await expectSecAgg(() => importPrivateKey(new Uint8Array(40).fill(1), 'X25519'), 'badKey');
  });
});

describe('share encryption (AES-256-GCM)', () => {
  const key = new Uint8Array(32).fill(3);
  const binding = { sender: 1, receiver: 2, round: 7 };

  it('round-trips and detects any tampering or re-binding', async () => {
    const plaintext = new Uint8Array([10, 20, 30, 40]);
    const sealed = await encryptForPeer({ key, plaintext, ...binding });
    expect(sealed.length).toBe(12 + 4 + 16);
    expect(await decryptFromPeer({ key, sealed, ...binding })).toEqual(plaintext);
    expect(await encryptForPeer({ key, plaintext, ...binding })).not.toEqual(sealed); // fresh IV
    for (let i = 0; i < sealed.length; i += 5) {
      const tampered = sealed.slice();
      tampered[i] = (tampered[i] as number) ^ 0x01;
      await expectSecAgg(() => decryptFromPeer({ key, sealed: tampered, ...binding }), 'decryption');
    }
    await expectSecAgg(() => decryptFromPeer({ key, sealed, ...binding, receiver: 3 }), 'decryption');
    await expectSecAgg(() => decryptFromPeer({ key, sealed, ...binding, sender: 2, receiver: 1 }), 'decryption');
    await expectSecAgg(() => decryptFromPeer({ key, sealed, ...binding, round: 8 }), 'decryption');
    await expectSecAgg(() => decryptFromPeer({ key: new Uint8Array(32), sealed, ...binding }), 'decryption');
    await expect(decryptFromPeer({ key, sealed: sealed.slice(0, 20), ...binding })).rejects.toThrow(/at least 28 bytes/);
    await expect(encryptForPeer({ key: new Uint8Array(16), plaintext, ...binding })).rejects.toThrow(/32 bytes/);
  });
});

describe('SecAgg+ neighbour graph', () => {
  const ids = Array.from({ length: 20 }, (_, i) => 3 * i + 1);

  it('is k-regular, symmetric, loop-free and a pure function of the seed', () => {
    for (const k of [2, 4, 6, 18]) {
      const g = neighbourGraph({ clientIds: ids, neighbours: k, seed: 'r1' });
      expect([...g.keys()].sort((a, b) => a - b)).toEqual(ids);
      for (const [id, list] of g) {
        expect(list).toHaveLength(k);
        expect(new Set(list).size).toBe(k);
        expect(list).not.toContain(id);
        for (const v of list) expect(g.get(v)).toContain(id);
        expect([...list]).toEqual([...list].sort((a, b) => a - b));
      }
      expect(neighbourGraph({ clientIds: ids, neighbours: k, seed: 'r1' })).toEqual(g);
    }
    const a = neighbourGraph({ clientIds: ids, neighbours: 4, seed: 'r1' });
    const b = neighbourGraph({ clientIds: ids, neighbours: 4, seed: 'r2' });
    expect(a).not.toEqual(b);
  });

  it('is complete without k, or when k >= n - 1', () => {
    for (const g of [neighbourGraph({ clientIds: [4, 0, 2] }), neighbourGraph({ clientIds: [4, 0, 2], neighbours: 4, seed: 1 })]) {
      expect(g.get(0)).toEqual([2, 4]);
      expect(g.get(4)).toEqual([0, 2]);
    }
  });

  it('refuses odd or tiny degrees, duplicate ids and a missing seed', () => {
    expectInvalidArgument(() => neighbourGraph({ clientIds: ids, neighbours: 3, seed: 1 }), 'neighbourGraph', 'options.neighbours', /even/);
    expectInvalidArgument(() => neighbourGraph({ clientIds: ids, neighbours: 0, seed: 1 }), 'neighbourGraph', 'options.neighbours', /even/);
    expectInvalidArgument(() => neighbourGraph({ clientIds: [1, 1] }), 'neighbourGraph', 'options.clientIds[1]', /distinct/);
    expectInvalidArgument(() => neighbourGraph({ clientIds: ids, neighbours: 4 }), 'neighbourGraph', 'options.seed', /required/);
  });
});
