// SPDY/3 name/value header blocks and their compression. A block is a 32-bit pair count, then for
// each pair a 32-bit length and the (lowercase) name, a 32-bit length and the value; several values
// of one name are joined by NUL. Each direction of a session compresses all of its blocks with one
// zlib stream primed with the SPDY dictionary and flushed with Z_SYNC_FLUSH after every block, so a
// block can only be read after all earlier ones: one inflater and one deflater live per session.
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';

export type SpdyHeaders = Map<string, string[]>;

/** A decompressed block larger than this is refused rather than buffered. */
export const MAX_HEADER_BLOCK = 256 * 1024;

export function encodeHeaderBlock(headers: SpdyHeaders | Record<string, string | string[]>): Buffer {
  const entries: [string, string[]][] =
    headers instanceof Map
      ? [...headers]
      : Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]);
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(entries.length));
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  let at = 0;
  const u32 = () => {
    if (at + 4 > block.length) throw new SpdyProtocolError('header block is truncated');
    const n = block.readUInt32BE(at);
    at += 4;
    return n;
  };
  const bytes = (n: number) => {
    if (at + n > block.length) throw new SpdyProtocolError('header block is truncated');
    const s = block.toString('utf8', at, at + n);
    at += n;
    return s;
  };
  const count = u32();
  const headers: SpdyHeaders = new Map();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32());
    if (name === '') throw new SpdyProtocolError('header block has an empty name');
    if (name !== name.toLowerCase()) throw new SpdyProtocolError(`header name ${name} is not lowercase`);
    if (headers.has(name)) throw new SpdyProtocolError(`header ${name} appears twice`);
    headers.set(name, bytes(u32()).split('\0'));
  }
  if (at !== block.length) throw new SpdyProtocolError('header block has trailing bytes');
  return headers;
}

/**
 * Runs blocks through one zlib stream in order, each followed by a sync flush, and hands back what
 * that block produced. Output is collected from 'data' (flowing mode keeps the stream's buffer
 * empty, so it is emitted before the flush callback runs).
 */
class SyncFlushed {
  private queue: Promise<unknown> = Promise.resolve();
  private out: Buffer[] = [];
  private outBytes = 0;
  private failure: Error | undefined;
  private current: ((err: Error) => void) | undefined;

  constructor(private readonly z: zlib.Deflate | zlib.Inflate) {
    z.on('data', (chunk: Buffer) => {
      this.out.push(chunk);
      this.outBytes += chunk.length;
      // A few compressed bytes can inflate to gigabytes; stop before buffering them.
      if (this.outBytes > MAX_HEADER_BLOCK) this.fail(new Error('header block is too large'));
    });
    z.on('error', (err) => this.fail(err));
  }

  run(input: Buffer): Promise<Buffer> {
    const next = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          // A failed stream may never call the flush callback, so failures settle the block too.
          this.current = reject;
          this.z.write(input);
          this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            if (this.current !== reject) return;
            this.current = undefined;
            const out = Buffer.concat(this.out, this.outBytes);
            this.out = [];
            this.outBytes = 0;
            if (this.failure) reject(this.failure);
            else resolve(out);
          });
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.fail(new Error('header compression context closed'));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.out = [];
    this.outBytes = 0;
    const reject = this.current;
    this.current = undefined;
    reject?.(this.failure);
    if (!this.z.destroyed) this.z.destroy();
  }
}

/** The sending side's context: compressed name/value blocks for SYN_STREAM, SYN_REPLY and HEADERS. */
export class HeaderCompressor {
  private readonly z = new SyncFlushed(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }));

  compress(headers: SpdyHeaders | Record<string, string | string[]>): Promise<Buffer> {
    return this.z.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.z.close();
  }
}

/** The receiving side's context: the peer's compressed blocks, in the order they arrived. */
export class HeaderDecompressor {
  private readonly z = new SyncFlushed(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));

  async decompress(compressed: Buffer): Promise<SpdyHeaders> {
    let block: Buffer;
    try {
      block = await this.z.run(compressed);
    } catch (err) {
      throw new SpdyProtocolError(`cannot decompress header block: ${(err as Error).message}`);
    }
    return decodeHeaderBlock(block);
  }

  close(): void {
    this.z.close();
  }
}
