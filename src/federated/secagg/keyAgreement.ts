/**
 * Diffie–Hellman key agreement for secure aggregation (Bonawitz et al. 2017, §3: KA.gen, KA.agree
 * followed by a hash): ECDH over X25519 when the runtime's WebCrypto supports it, else P-256, and
 * HKDF-SHA-256 from the shared secret to 32 bytes bound to a context label (purpose, round, and the
 * two client ids sorted, so both ends derive the same bytes).
 */
import { bufferSource, subtle, utf8 } from './bytes.js';
import { secAggFail } from './errors.js';

/**
 * Elliptic curve of a key pair. X25519 keys are 32 raw bytes, P-256 keys 65 (uncompressed point).
 *
 * @example
 * ```ts
 * import type { KeyAgreementCurve } from 'responsible-tfjs/federated';
 * const curve: KeyAgreementCurve = 'P-256'; // supported by every WebCrypto
 * ```
 */
export type KeyAgreementCurve = 'X25519' | 'P-256';

/**
 * A key pair for agreement: the raw public key to publish and the (extractable) private key.
 *
 * @example
 * ```ts
 * import { generateAgreementKeyPair, type AgreementKeyPair } from 'responsible-tfjs/federated';
 * const pair: AgreementKeyPair = await generateAgreementKeyPair({ curve: 'P-256' });
 * console.log(pair.publicKey.length); // 65
 * ```
 */
export interface AgreementKeyPair {
  readonly curve: KeyAgreementCurve;
  /** Raw public key bytes (32 for X25519, 65 for P-256). */
  readonly publicKey: Uint8Array;
  /** WebCrypto private key, extractable as PKCS#8 (secure aggregation secret-shares it). */
  readonly privateKey: CryptoKey;
}

function algorithm(curve: KeyAgreementCurve): EcKeyImportParams | Algorithm {
  return curve === 'X25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: 'P-256' };
}

/** Raw public key length of a curve. */
export function publicKeyLength(curve: KeyAgreementCurve): number {
  return curve === 'X25519' ? 32 : 65;
}

let detected: Promise<KeyAgreementCurve> | undefined;

/**
 * The best curve this runtime's WebCrypto offers: `'X25519'` if it can generate and use X25519
 * keys (Node >= 20, recent Chromium/Firefox/Safari), else `'P-256'`. Cached after the first call.
 * All parties of a round must use the same curve: in a heterogeneous fleet, configure it explicitly.
 *
 * @returns The curve name.
 * @example
 * ```ts
 * import { detectAgreementCurve } from 'responsible-tfjs/federated';
 * console.log(await detectAgreementCurve()); // 'X25519' on Node 20
 * ```
 */
export function detectAgreementCurve(): Promise<KeyAgreementCurve> {
  detected ??= (async (): Promise<KeyAgreementCurve> => {
    try {
      const pair = (await subtle().generateKey({ name: 'X25519' }, false, ['deriveBits'])) as CryptoKeyPair;
      await subtle().exportKey('raw', pair.publicKey);
      return 'X25519';
    } catch {
      return 'P-256';
    }
  })();
  return detected;
}

/**
 * Generates a fresh key pair with WebCrypto (never from a seeded source: keys must be secret).
 *
 * @param options - The curve.
 * @returns The pair, private key extractable.
 * @example
 * ```ts
 * import { generateAgreementKeyPair, detectAgreementCurve } from 'responsible-tfjs/federated';
 * const pair = await generateAgreementKeyPair({ curve: await detectAgreementCurve() });
 * ```
 */
export async function generateAgreementKeyPair(options: { readonly curve: KeyAgreementCurve }): Promise<AgreementKeyPair> {
  const curve = options.curve;
  const pair = (await subtle().generateKey(algorithm(curve), true, ['deriveBits'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { curve, publicKey, privateKey: pair.privateKey };
}

/**
 * PKCS#8 bytes of a private key (what secure aggregation secret-shares for dropout recovery).
 *
 * @example
 * ```ts
 * import { generateAgreementKeyPair, exportPrivateKey } from 'responsible-tfjs/federated';
 * const pkcs8 = await exportPrivateKey((await generateAgreementKeyPair({ curve: 'P-256' })).privateKey);
 * ```
 */
export async function exportPrivateKey(privateKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().exportKey('pkcs8', privateKey));
}

/**
 * Imports PKCS#8 bytes (e.g. reconstructed from Shamir shares) as a private agreement key.
 * Throws a `SecAggError` of kind `'badKey'` when WebCrypto rejects the bytes.
 *
 * @example
 * ```ts
 * import { importPrivateKey } from 'responsible-tfjs/federated';
 * const key = await importPrivateKey(pkcs8Bytes, 'X25519');
 * ```
 */
export async function importPrivateKey(pkcs8: Uint8Array, curve: KeyAgreementCurve): Promise<CryptoKey> {
  try {
    return await subtle().importKey('pkcs8', bufferSource(pkcs8), algorithm(curve), false, ['deriveBits']);
  } catch (e) {
    return secAggFail('importPrivateKey', 'badKey', `WebCrypto rejected a ${curve} private key (${(e as Error).message})`);
  }
}

/**
 * The context label that binds derived bytes to their use: purpose, round, and the two client
 * ids in increasing order (both ends compute the same label).
 *
 * @example
 * ```ts
 * import { agreementContext } from 'responsible-tfjs/federated';
 * agreementContext({ purpose: 'mask', round: 7, a: 5, b: 2 }); // 'responsible-tfjs/secagg/v1/mask/round=7/2-5'
 * ```
 */
export function agreementContext(options: { readonly purpose: 'mask' | 'encrypt'; readonly round: number; readonly a: number; readonly b: number }): string {
  const lo = Math.min(options.a, options.b);
  const hi = Math.max(options.a, options.b);
  return `responsible-tfjs/secagg/v1/${options.purpose}/round=${options.round}/${lo}-${hi}`;
}

/**
 * ECDH between my private key and a peer's raw public key, then HKDF-SHA-256 (empty salt,
 * `info` = the context label) to 32 bytes: an AES-256 key or a mask PRG seed.
 * Throws a `SecAggError` of kind `'badKey'` if the public key is not a valid point.
 *
 * @param options - Private key, peer's raw public key, curve and context label.
 * @returns 32 bytes shared by the two parties.
 * @example
 * ```ts
 * import { generateAgreementKeyPair, deriveSharedSecret, agreementContext } from 'responsible-tfjs/federated';
 * const a = await generateAgreementKeyPair({ curve: 'P-256' });
 * const b = await generateAgreementKeyPair({ curve: 'P-256' });
 * const context = agreementContext({ purpose: 'mask', round: 0, a: 1, b: 2 });
 * const ab = await deriveSharedSecret({ privateKey: a.privateKey, publicKey: b.publicKey, curve: 'P-256', context });
 * const ba = await deriveSharedSecret({ privateKey: b.privateKey, publicKey: a.publicKey, curve: 'P-256', context });
 * // ab and ba hold the same 32 bytes
 * ```
 */
export async function deriveSharedSecret(options: {
  readonly privateKey: CryptoKey;
  readonly publicKey: Uint8Array;
  readonly curve: KeyAgreementCurve;
  readonly context: string;
}): Promise<Uint8Array> {
  const { curve } = options;
  let peer: CryptoKey;
  try {
    peer = await subtle().importKey('raw', bufferSource(options.publicKey), algorithm(curve), false, []);
  } catch (e) {
    return secAggFail('deriveSharedSecret', 'badKey', `WebCrypto rejected a ${curve} public key (${(e as Error).message})`);
  }
  const name = curve === 'X25519' ? 'X25519' : 'ECDH';
  const bits = await subtle().deriveBits({ name, public: peer } as EcdhKeyDeriveParams, options.privateKey, 256);
  const ikm = await subtle().importKey('raw', bits, 'HKDF', false, ['deriveBits']);
  const okm = await subtle().deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new ArrayBuffer(0), info: bufferSource(utf8(options.context)) },
    ikm,
    256,
  );
  return new Uint8Array(okm);
}
