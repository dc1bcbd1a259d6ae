import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { ProtocolError } from '../../src/federated/protocol/errors.js';
import { decodeFrame, encodeFrame } from '../../src/federated/protocol/framing.js';
import { payloadFromJson, payloadToJson } from '../../src/federated/protocol/json.js';
import { MESSAGE_TYPES, PROTOCOL_VERSION, validateMessage, type FederatedMessage } from '../../src/federated/protocol/messages.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const V = PROTOCOL_VERSION;

function response(payload: unknown): FederatedMessage {
  return { type: 'response', protocolVersion: V, round: 2, phase: 'train', requestId: 'abc-1', payload };
}

/** A frame built by hand: header object (with placeholders) + raw attachments at the given offsets. */
function rawFrame(header: unknown, attachments: { at: number; bytes: Uint8Array }[] = [], totalBytes?: number): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const end = Math.max(4 + h.length, ...attachments.map((a) => a.at + a.bytes.length));
  const out = new Uint8Array(totalBytes ?? end);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 4);
  for (const a of attachments) out.set(a.bytes, a.at);
  return out;
}

function expectProtocolError(call: () => unknown, field: string, message: RegExp): void {
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).argument).toBe(field);
  expect((error as Error).message).toMatch(message);
}

describe('federated protocol: framing round trip', () => {
  it('round-trips every message type', () => {
    const messages: FederatedMessage[] = [
      { type: 'hello', protocolVersion: V, clientId: 'c1', token: '' },
      { type: 'welcome', protocolVersion: V, clientId: 'c1' },
      { type: 'reject', protocolVersion: V, code: 'auth', reason: 'bad token' },
      { type: 'request', protocolVersion: V, round: 1, phase: 'shareKeys', requestId: 'x-9', payload: null },
      response({ ok: true }),
      { type: 'error', protocolVersion: V, reason: 'late', requestId: 'x-9' },
      { type: 'error', protocolVersion: V, reason: 'no id' },
      { type: 'bye', protocolVersion: V, reason: 'finished', summary: { loss: 0.25 } },
    ];
    expect(new Set(messages.map((m) => m.type))).toEqual(new Set(MESSAGE_TYPES));
    for (const m of messages) expect(decodeFrame(encodeFrame(m))).toEqual(m);
  });

  it('carries every dtype as 8-byte-aligned little-endian attachments, bit for bit', () => {
    const payload = {
      u8: new Uint8Array([0, 1, 255]),
      i8: new Int8Array([-128, 0, 127]),
      u32: new Uint32Array([0, 1, 2 ** 32 - 1]),
      i32: new Int32Array([-(2 ** 31), 0, 2 ** 31 - 1]),
      f32: new Float32Array([NaN, Infinity, -Infinity, 3e38, -0, 1.4e-45]),
      f64: new Float64Array([Number.MAX_VALUE, Number.MIN_VALUE, NaN, 1e19]),
      nested: [{ empty: new Float32Array(0), tags: ['a', 'b'], n: 1e19, big: 3e38, tiny: 5e-324 }],
    };
    const frame = encodeFrame(response(payload));
    const back = decodeFrame(frame) as Extract<FederatedMessage, { type: 'response' }>;
    const p = back.payload as typeof payload;
    expect(p.u8).toEqual(payload.u8);
    expect(p.i8).toEqual(payload.i8);
    expect(p.u32).toEqual(payload.u32);
    expect(p.i32).toEqual(payload.i32);
    // NaN and -0 compared on the bits.
    expect(new Uint32Array(p.f32.buffer)).toEqual(new Uint32Array(payload.f32.buffer));
    expect(new Uint32Array(p.f64.buffer)).toEqual(new Uint32Array(payload.f64.buffer));
    expect(p.nested).toEqual(payload.nested);
    expect(p.f32).toBeInstanceOf(Float32Array);
    // Attachments start at multiples of 8: the f64 one can be viewed in place.
    const headerLength = new DataView(frame.buffer).getUint32(0, true);
    expect((4 + headerLength + 7) & ~7).toBeLessThan(frame.length);
    expect(frame.length % 1).toBe(0);
  });

  it('encodes views with odd offsets and decodes from Buffers, ArrayBuffers and unaligned views', () => {
    const base = new Uint8Array(64);
    const view = new Float32Array(new Uint8Array(base.buffer, 0, 64).buffer, 4, 3);
    view.set([1.5, -2.5, 3.5]);
    const frame = encodeFrame(response({ v: view }));
    const expected = { v: new Float32Array([1.5, -2.5, 3.5]) };
    expect((decodeFrame(frame) as { payload: unknown }).payload).toEqual(expected);
    expect((decodeFrame(frame.buffer as ArrayBuffer) as { payload: unknown }).payload).toEqual(expected);
    expect((decodeFrame(Buffer.from(frame)) as { payload: unknown }).payload).toEqual(expected);
    const shifted = new Uint8Array(frame.length + 3);
    shifted.set(frame, 3);
    expect((decodeFrame(shifted.subarray(3)) as { payload: unknown }).payload).toEqual(expected);
  });

  it('returns fresh copies, not views of the frame', () => {
    const frame = encodeFrame(response({ v: new Float32Array([1, 2]) }));
    const p = (decodeFrame(frame) as { payload: { v: Float32Array } }).payload;
    frame.fill(0);
    expect(p.v).toEqual(new Float32Array([1, 2]));
  });
});

describe('federated protocol: encode errors', () => {
  it('refuses payload values JSON cannot carry, naming the path', () => {
    expectInvalidArgument(() => encodeFrame(response({ a: [1, NaN] })), 'encodeFrame', 'message.payload.a[1]', /finite number.*Float32Array/);
    expectInvalidArgument(() => encodeFrame(response({ a: Infinity })), 'encodeFrame', 'message.payload.a', /finite number/);
    expectInvalidArgument(() => encodeFrame(response({ m: new Map() })), 'encodeFrame', 'message.payload.m', /plain object/);
    expectInvalidArgument(() => encodeFrame(response([undefined])), 'encodeFrame', 'message.payload[0]', /plain object/);
    expectInvalidArgument(() => encodeFrame(response({ b: new BigInt64Array(1) })), 'encodeFrame', 'message.payload.b', /dtype uint8/);
    expectInvalidArgument(() => encodeFrame(response({ $bin: 0 })), 'encodeFrame', 'message.payload.$bin', /reserved/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodeFrame(response(cycle))).toThrow(ProtocolError);
  });

  it('validates the message schema before sending', () => {
    expectInvalidArgument(
      () => encodeFrame({ ...response(null), round: -1 } as FederatedMessage),
      'encodeFrame',
      'header.round',
      /integer >= 0/,
    );
    expectInvalidArgument(
      () => encodeFrame({ type: 'hello', protocolVersion: V, clientId: '', token: 't' }),
      'encodeFrame',
      'header.clientId',
      /non-empty string/,
    );
  });

  it('refuses frames over maxFrameBytes', () => {
    expectInvalidArgument(
      () => encodeFrame(response({ v: new Float32Array(1000) }), { maxFrameBytes: 1024 }),
      'encodeFrame',
      'message',
      /at most 1024 bytes/,
    );
  });
});

describe('federated protocol: malformed frames', () => {
  const good = encodeFrame(response({ v: new Float32Array([1, 2, 3]), w: new Uint8Array([7]) }));

  it('rejects truncated frames', () => {
    expectProtocolError(() => decodeFrame(new Uint8Array(2)), 'frame', /at least 4 bytes/);
    expectProtocolError(() => decodeFrame(good.subarray(0, 10)), 'frame', /truncated/);
    expectProtocolError(() => decodeFrame(good.subarray(0, good.length - 1)), 'frame', /truncated/);
  });

  it('rejects trailing bytes and oversized frames', () => {
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    expectProtocolError(() => decodeFrame(longer), 'frame', /trailing bytes/);
    expectProtocolError(() => decodeFrame(good, { maxFrameBytes: 16 }), 'frame', /at most 16 bytes/);
  });

  it('rejects a header that is not UTF-8 JSON', () => {
    const bad = new Uint8Array([3, 0, 0, 0, 0xff, 0xfe, 0xfd]);
    expectProtocolError(() => decodeFrame(bad), 'header', /UTF-8 JSON/);
    expectProtocolError(() => decodeFrame(rawFrame(undefined, [], 4)), 'header', /UTF-8 JSON/);
    expectProtocolError(() => decodeFrame(rawFrame([1, 2])), 'header', /JSON object/);
  });

  it('rejects another protocol version before anything else, and unknown types', () => {
    expectProtocolError(
      () => decodeFrame(rawFrame({ type: 'nonsense', protocolVersion: V + 1 })),
      'header.protocolVersion',
      new RegExp(`must be ${V} .*got ${V + 1}`),
    );
    expectProtocolError(() => decodeFrame(rawFrame({ type: 'hello' })), 'header.protocolVersion', /got undefined/);
    expectProtocolError(() => decodeFrame(rawFrame({ type: 'nonsense', protocolVersion: V })), 'header.type', /one of hello, welcome/);
  });

  it('rejects missing, unknown and ill-typed fields', () => {
    expectProtocolError(() => decodeFrame(rawFrame({ type: 'hello', protocolVersion: V, clientId: 'a' })), 'header.token', /present/);
    expectProtocolError(
      () => decodeFrame(rawFrame({ type: 'hello', protocolVersion: V, clientId: 'a', token: 't', admin: true })),
      'header.admin',
      /absent/,
    );
    expectProtocolError(
      () => decodeFrame(rawFrame({ type: 'request', protocolVersion: V, round: 1.5, phase: 'p', requestId: 'r', payload: 1 })),
      'header.round',
      /integer >= 0/,
    );
    expectProtocolError(
      () => decodeFrame(rawFrame({ type: 'reject', protocolVersion: V, code: 'whatever', reason: '' })),
      'header.code',
      /one of protocolVersion, auth/,
    );
    expectProtocolError(
      () => decodeFrame(rawFrame({ type: 'welcome', protocolVersion: V, clientId: 'x'.repeat(5000) })),
      'header.clientId',
      /at most 4096/,
    );
  });

  const req = (payload: unknown) => ({ type: 'response', protocolVersion: V, round: 1, phase: 'p', requestId: 'r', payload });

  it('rejects bad placeholders', () => {
    const bytes = (n: number) => ({ at: 0, bytes: new Uint8Array(n) });
    void bytes;
    expectProtocolError(() => decodeFrame(rawFrame(req({ $bin: 0, dtype: 'float16', length: 1 }))), 'message.payload.dtype', /one of uint8/);
    expectProtocolError(() => decodeFrame(rawFrame(req({ $bin: -1, dtype: 'uint8', length: 1 }))), 'message.payload.$bin', /integer >= 0/);
    expectProtocolError(() => decodeFrame(rawFrame(req({ $bin: 0, dtype: 'uint8', length: 1.5 }))), 'message.payload.length', /integer >= 0/);
    expectProtocolError(() => decodeFrame(rawFrame(req({ $bin: 0, dtype: 'uint8', length: 1, x: 1 }))), 'message.payload', /exactly the keys/);
    expectProtocolError(() => decodeFrame(rawFrame(req({ $bin: 3, dtype: 'uint8', length: 0 }))), 'message.payload.$bin', /distinct attachment index below 1/);
    expectProtocolError(
      () => decodeFrame(rawFrame(req([{ $bin: 0, dtype: 'uint8', length: 0 }, { $bin: 0, dtype: 'uint8', length: 0 }]))),
      'message.payload[1].$bin',
      /distinct/,
    );
    // A huge declared length is refused before any allocation.
    expectProtocolError(() => decodeFrame(rawFrame(req({ $bin: 0, dtype: 'float64', length: 2 ** 50 }))), 'frame', /truncated/);
  });

  it('rejects nesting bombs without overflowing the stack', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const header = new TextEncoder().encode(`{"type":"response","protocolVersion":${V},"round":1,"phase":"p","requestId":"r","payload":${deep}}`);
    const frame = new Uint8Array(4 + header.length);
    new DataView(frame.buffer).setUint32(0, header.length, true);
    frame.set(header, 4);
    expect(() => decodeFrame(frame)).toThrow(ProtocolError);
  });

  it('never throws anything but ProtocolError on random corruptions (fuzz, seeded)', () => {
    const rng = seededRng(7);
    const base = encodeFrame(response({ v: new Float32Array([1, NaN, 3]), s: 'text', k: [1, 2, { x: new Int8Array(5) }] }));
    let decoded = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const frame = base.slice(0, Math.max(0, base.length - (trial % 7 === 0 ? Math.floor(rng.next() * 20) : 0)));
      const flips = 1 + Math.floor(rng.next() * 4);
      for (let f = 0; f < flips && frame.length > 0; f++) frame[Math.floor(rng.next() * frame.length)] = Math.floor(rng.next() * 256);
      try {
        decodeFrame(frame);
        decoded++;
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    }
    // Flips inside attachments (and some inside the JSON) still decode: framing does not judge values.
    expect(decoded).toBeGreaterThan(0);
  });
});

describe('federated protocol: validateMessage', () => {
  it('returns a valid message and names the function in errors', () => {
    expect(validateMessage('x', { type: 'bye', protocolVersion: V, reason: 'done' }).type).toBe('bye');
    expectInvalidArgument(() => validateMessage('myDecoder', null), 'myDecoder', 'header', /JSON object/);
  });
});

describe('federated protocol: payload JSON (checkpoints)', () => {
  it('round-trips typed arrays bit for bit, NaN included', () => {
    const state = { round: 3, weights: new Float32Array([NaN, -0, 3e38, 1e-45]), opt: { m: new Float64Array([1e19]) }, ids: new Int32Array(70_000).fill(-5) };
    const back = payloadFromJson(payloadToJson(state)) as typeof state;
    expect(new Uint32Array(back.weights.buffer)).toEqual(new Uint32Array(state.weights.buffer));
    expect(back.opt.m).toEqual(state.opt.m);
    expect(back.ids).toEqual(state.ids);
    expect(back.round).toBe(3);
  });

  it('writes standard base64 (RFC 4648, padded) for every tail length', () => {
    for (let n = 0; n < 12; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 255);
      const doc = JSON.parse(payloadToJson({ b: bytes }));
      expect(doc.attachments[0]).toBe(Buffer.from(bytes).toString('base64'));
      expect((payloadFromJson(JSON.stringify(doc)) as { b: Uint8Array }).b).toEqual(bytes);
    }
  });

  it('rejects text that is not a payload document', () => {
    expectInvalidArgument(() => payloadFromJson('{'), 'payloadFromJson', 'text', /JSON text/);
    expectInvalidArgument(() => payloadFromJson('{"format":"other"}'), 'payloadFromJson', 'text.format', /federated-payload/);
    const good = JSON.parse(payloadToJson({ a: new Uint8Array([1, 2]) }));
    good.attachments[0] = 'AQ=='; // one byte, the placeholder says two
    expectInvalidArgument(() => payloadFromJson(JSON.stringify(good)), 'payloadFromJson', 'text.attachments[0]', /2 bytes/);
  });
});
