// SPDY/3 frame encoding and an incremental parser. Every frame has an 8-byte header: a control frame
// starts with the control bit, a 15-bit version and a 16-bit type; a data frame with a 31-bit stream
// id. Both then carry 8 bits of flags and a 24-bit payload length. Header blocks stay compressed
// here; headers.ts owns the zlib context they share.

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

/** The payload length field is 24 bits. */
export const MAX_PAYLOAD = 0xffffff;

export interface SettingsEntry {
  flags: number;
  id: number;
  value: number;
}

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | {
      type: 'syn_stream';
      flags: number;
      streamId: number;
      associatedTo: number;
      priority: number;
      slot: number;
      headerBlock: Buffer;
    }
  | { type: 'syn_reply'; flags: number; streamId: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: SettingsEntry[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; flags: number; streamId: number; headerBlock: Buffer }
  | { type: 'window_update'; streamId: number; delta: number }
  /** A control frame of a type this version does not define; receivers ignore it. */
  | { type: 'unknown'; version: number; kind: number; flags: number; payload: Buffer };

/** A frame that breaks the framing rules; the session answers with GOAWAY. */
export class SpdyProtocolError extends Error {}

const ID_MASK = 0x7fffffff;

function controlHeader(kind: number, flags: number, length: number, version = SPDY_VERSION): Buffer {
  if (length > MAX_PAYLOAD) throw new RangeError(`SPDY frame payload of ${length} bytes is too large`);
  const b = Buffer.allocUnsafe(8 + length);
  b.writeUInt16BE(0x8000 | version, 0);
  b.writeUInt16BE(kind, 2);
  b.writeUInt32BE((((flags & 0xff) << 24) | length) >>> 0, 4);
  return b;
}

export function encodeFrame(frame: Frame): Buffer {
  switch (frame.type) {
    case 'data': {
      if (frame.data.length > MAX_PAYLOAD)
        throw new RangeError(`SPDY frame payload of ${frame.data.length} bytes is too large`);
      const b = Buffer.allocUnsafe(8 + frame.data.length);
      b.writeUInt32BE(frame.streamId & ID_MASK, 0);
      b.writeUInt32BE((((frame.flags & 0xff) << 24) | frame.data.length) >>> 0, 4);
      frame.data.copy(b, 8);
      return b;
    }
    case 'syn_stream': {
      const b = controlHeader(FrameType.SynStream, frame.flags, 10 + frame.headerBlock.length);
      b.writeUInt32BE(frame.streamId & ID_MASK, 8);
      b.writeUInt32BE(frame.associatedTo & ID_MASK, 12);
      b[16] = (frame.priority & 0x7) << 5;
      b[17] = frame.slot & 0xff;
      frame.headerBlock.copy(b, 18);
      return b;
    }
    case 'syn_reply':
    case 'headers': {
      const kind = frame.type === 'syn_reply' ? FrameType.SynReply : FrameType.Headers;
      const b = controlHeader(kind, frame.flags, 4 + frame.headerBlock.length);
      b.writeUInt32BE(frame.streamId & ID_MASK, 8);
      frame.headerBlock.copy(b, 12);
      return b;
    }
    case 'rst_stream': {
      const b = controlHeader(FrameType.RstStream, 0, 8);
      b.writeUInt32BE(frame.streamId & ID_MASK, 8);
      b.writeUInt32BE(frame.status >>> 0, 12);
      return b;
    }
    case 'settings': {
      const b = controlHeader(FrameType.Settings, frame.flags, 4 + 8 * frame.entries.length);
      b.writeUInt32BE(frame.entries.length, 8);
      frame.entries.forEach((e, i) => {
        b.writeUInt32BE((((e.flags & 0xff) << 24) | (e.id & 0xffffff)) >>> 0, 12 + 8 * i);
        b.writeUInt32BE(e.value >>> 0, 16 + 8 * i);
      });
      return b;
    }
    case 'ping': {
      const b = controlHeader(FrameType.Ping, 0, 4);
      b.writeUInt32BE(frame.id >>> 0, 8);
      return b;
    }
    case 'goaway': {
      const b = controlHeader(FrameType.GoAway, 0, 8);
      b.writeUInt32BE(frame.lastGoodStreamId & ID_MASK, 8);
      b.writeUInt32BE(frame.status >>> 0, 12);
      return b;
    }
    case 'window_update': {
      const b = controlHeader(FrameType.WindowUpdate, 0, 8);
      b.writeUInt32BE(frame.streamId & ID_MASK, 8);
      b.writeUInt32BE(frame.delta & ID_MASK, 12);
      return b;
    }
    case 'unknown': {
      const b = controlHeader(frame.kind, frame.flags, frame.payload.length, frame.version);
      frame.payload.copy(b, 8);
      return b;
    }
  }
}

/** Decodes one complete frame (header and payload). */
export function decodeFrame(buf: Buffer): Frame {
  const first = buf.readUInt32BE(0);
  const flags = buf[4];
  const length = buf.readUInt32BE(4) & MAX_PAYLOAD;
  const p = buf.subarray(8, 8 + length);
  if (p.length !== length) throw new SpdyProtocolError('truncated SPDY frame');
  if ((first & 0x80000000) === 0) {
    const streamId = first & ID_MASK;
    if (streamId === 0) throw new SpdyProtocolError('data frame on stream 0');
    return { type: 'data', streamId, flags, data: p };
  }
  const version = (first >>> 16) & 0x7fff;
  const kind = first & 0xffff;
  if (version !== SPDY_VERSION && kind >= FrameType.SynStream && kind <= FrameType.WindowUpdate)
    throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const need = (n: number, exact = false) => {
    if (exact ? length !== n : length < n)
      throw new SpdyProtocolError(`control frame of type ${kind} has a payload of ${length} bytes`);
  };
  switch (kind) {
    case FrameType.SynStream:
      need(10);
      return {
        type: 'syn_stream',
        flags,
        streamId: p.readUInt32BE(0) & ID_MASK,
        associatedTo: p.readUInt32BE(4) & ID_MASK,
        priority: p[8] >> 5,
        slot: p[9],
        headerBlock: p.subarray(10),
      };
    case FrameType.SynReply:
    case FrameType.Headers:
      need(4);
      return {
        type: kind === FrameType.SynReply ? 'syn_reply' : 'headers',
        flags,
        streamId: p.readUInt32BE(0) & ID_MASK,
        headerBlock: p.subarray(4),
      };
    case FrameType.RstStream:
      need(8, true);
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & ID_MASK, status: p.readUInt32BE(4) };
    case FrameType.Settings: {
      need(4);
      const count = p.readUInt32BE(0);
      if (length !== 4 + 8 * count) throw new SpdyProtocolError('SETTINGS frame length does not match');
      const entries: SettingsEntry[] = [];
      for (let i = 0; i < count; i++) {
        const fid = p.readUInt32BE(4 + 8 * i);
        entries.push({ flags: fid >>> 24, id: fid & 0xffffff, value: p.readUInt32BE(8 + 8 * i) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.Ping:
      need(4, true);
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GoAway:
      need(8, true);
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & ID_MASK, status: p.readUInt32BE(4) };
    case FrameType.WindowUpdate:
      need(8, true);
      return {
        type: 'window_update',
        streamId: p.readUInt32BE(0) & ID_MASK,
        delta: p.readUInt32BE(4) & ID_MASK,
      };
    default:
      return { type: 'unknown', version, kind, flags, payload: p };
  }
}

/**
 * Cuts a byte stream into frames. Bytes arrive in arbitrary pieces (TCP segments, TLS records,
 * WebSocket messages); chunks are only joined when a frame spans them.
 */
export class FrameParser {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.size >= 8) {
      const length = this.peek(8).readUInt32BE(4) & MAX_PAYLOAD;
      if (this.size < 8 + length) break;
      frames.push(decodeFrame(this.take(8 + length)));
    }
    return frames;
  }

  /** Bytes received that do not yet make a whole frame. */
  get buffered(): number {
    return this.size;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    this.size -= n;
    const head = this.chunks[0];
    if (head.length >= n) {
      if (head.length === n) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
      return head.subarray(0, n);
    }
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const c = this.chunks[0];
      if (c.length <= left) {
        parts.push(c);
        this.chunks.shift();
        left -= c.length;
      } else {
        parts.push(c.subarray(0, left));
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    return Buffer.concat(parts, n);
  }
}
