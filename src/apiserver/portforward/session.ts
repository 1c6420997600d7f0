// The server side of a SPDY/3 session over any byte stream (an upgraded TLS socket, or a WebSocket
// whose binary messages carry the bytes). The peer opens streams; each is answered with SYN_REPLY
// and handed out as a Duplex. Like spdystream, the Go library kubectl uses, the session keeps no
// flow-control windows: SETTINGS and WINDOW_UPDATE are read and ignored, and back-pressure comes
// from pausing the transport while a stream's reader is full.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  encodeFrame,
  FLAG_FIN,
  FrameParser,
  GoAwayStatus,
  RstStatus,
  SpdyProtocolError,
  type Frame,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.js';

export interface SpdySessionOptions {
  /**
   * Whether to accept a new stream. A refused stream gets a SYN_REPLY with FIN and is not handed
   * out, which is what apimachinery's server does when its stream handler returns an error.
   */
  accept?(headers: SpdyHeaders, streamId: number): boolean;
  /** Largest data frame sent; bigger writes are split. */
  maxDataFrame?: number;
}

interface OutItem {
  buf?: Buffer;
  pending: boolean;
  done?: () => void;
}

const EMPTY = Buffer.alloc(0);

export class SpdySession extends EventEmitter {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly parser = new FrameParser();
  private readonly inflater = new HeaderDecompressor();
  private readonly deflater = new HeaderCompressor();
  private readonly maxDataFrame: number;
  private inbound: Frame[] = [];
  private processing = false;
  private outq: OutItem[] = [];
  private congested = false;
  private lastStreamId = 0;
  private goneAway = false;
  private readonly pausedBy = new Set<SpdyStream>();
  private isClosed = false;

  constructor(
    private readonly transport: Duplex,
    private readonly opts: SpdySessionOptions = {},
  ) {
    super();
    this.maxDataFrame = opts.maxDataFrame ?? 32 * 1024;
    transport.on('data', (chunk: Buffer) => this.onBytes(chunk));
    transport.on('drain', () => {
      this.congested = false;
      this.pump();
    });
    // The peer closing its side ends the session: no frame can follow.
    transport.on('end', () => this.destroy());
    transport.on('close', () => this.destroy());
    transport.on('error', (err) => this.destroy(err));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Open streams. */
  get size(): number {
    return this.streams.size;
  }

  /** Sends GOAWAY and closes the transport once everything queued before it is written. */
  close(status: number = GoAwayStatus.Ok): void {
    if (this.isClosed) return;
    this.goneAway = true;
    this.enqueue(encodeFrame({ type: 'goaway', lastGoodStreamId: this.lastStreamId, status }), () =>
      this.transport.end(),
    );
  }

  /** Drops every stream and the transport at once. */
  destroy(err?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const stream of [...this.streams.values()]) stream.destroy();
    this.streams.clear();
    for (const item of this.outq) item.done?.();
    this.outq = [];
    this.inbound = [];
    this.inflater.close();
    this.deflater.close();
    this.transport.destroy();
    this.emit('close', err);
  }

  // --- used by SpdyStream -------------------------------------------------------------------------

  /** @internal */
  sendData(streamId: number, data: Buffer, fin: boolean, done: () => void): void {
    if (this.isClosed) return done();
    let at = 0;
    do {
      const piece = data.subarray(at, at + this.maxDataFrame);
      at += piece.length;
      const last = at >= data.length;
      const flags = last && fin ? FLAG_FIN : 0;
      this.enqueue(encodeFrame({ type: 'data', streamId, flags, data: piece }), last ? done : undefined);
    } while (at < data.length);
  }

  /** @internal */
  sendReset(streamId: number, status: number): void {
    this.enqueue(encodeFrame({ type: 'rst_stream', streamId, status }));
  }

  /** @internal */
  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    this.resumeFor(stream);
    if (this.goneAway && this.streams.size === 0) this.close();
  }

  /** @internal */
  pauseFor(stream: SpdyStream): void {
    this.pausedBy.add(stream);
    this.transport.pause();
  }

  /** @internal */
  resumeFor(stream: SpdyStream): void {
    if (this.pausedBy.delete(stream) && this.pausedBy.size === 0 && !this.isClosed) this.transport.resume();
  }

  // --- inbound ------------------------------------------------------------------------------------

  private onBytes(chunk: Buffer): void {
    if (this.isClosed) return;
    try {
      for (const frame of this.parser.push(chunk)) this.inbound.push(frame);
    } catch (err) {
      return this.protocolError(err as Error);
    }
    void this.processInbound();
  }

  // Frames are handled strictly in order: header blocks share one zlib context, and a stream's
  // data must not overtake the SYN_STREAM that opens it.
  private async processInbound(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.inbound.length > 0 && !this.isClosed) {
        const pending = this.handle(this.inbound.shift()!);
        if (pending) await pending;
      }
    } catch (err) {
      this.protocolError(err as Error);
    } finally {
      this.processing = false;
    }
  }

  private handle(frame: Frame): Promise<void> | void {
    switch (frame.type) {
      case 'syn_stream':
        return this.onSynStream(frame);
      case 'syn_reply':
      case 'headers':
        // Nothing here uses them, but they must pass through the inflater to keep it in step.
        return this.inflater.decompress(frame.headerBlock).then(() => {
          if (frame.type === 'headers' && frame.flags & FLAG_FIN)
            this.streams.get(frame.streamId)?.remoteFin();
        });
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        if (!stream) return; // already closed or reset here; late frames are harmless
        if (frame.data.length > 0) stream.remoteData(frame.data);
        if (frame.flags & FLAG_FIN) stream.remoteFin();
        return;
      }
      case 'rst_stream':
        this.streams.get(frame.streamId)?.remoteReset();
        return;
      case 'ping':
        // Odd ids are the client's; even ones would answer pings this side never sends.
        if (frame.id % 2 === 1) this.enqueue(encodeFrame(frame));
        return;
      case 'goaway':
        this.goneAway = true;
        if (this.streams.size === 0) this.close();
        return;
      case 'settings':
      case 'window_update':
      case 'unknown':
        return;
    }
  }

  private async onSynStream(frame: Extract<Frame, { type: 'syn_stream' }>): Promise<void> {
    const headers = await this.inflater.decompress(frame.headerBlock);
    const id = frame.streamId;
    if (id === 0) throw new SpdyProtocolError('SYN_STREAM for stream 0');
    if (id % 2 === 0 || id <= this.lastStreamId) {
      this.sendReset(id, RstStatus.ProtocolError);
      return;
    }
    this.lastStreamId = id;
    if (this.goneAway) {
      this.sendReset(id, RstStatus.RefusedStream);
      return;
    }
    const accepted = this.opts.accept?.(headers, id) ?? true;
    // The reply is queued before the stream is handed out, so nothing written to the stream can
    // reach the peer ahead of it.
    this.enqueue(
      this.deflater
        .compress(new Map())
        .then((headerBlock) =>
          encodeFrame({ type: 'syn_reply', flags: accepted ? 0 : FLAG_FIN, streamId: id, headerBlock }),
        ),
    );
    if (!accepted) return;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    if (frame.flags & FLAG_FIN) stream.remoteFin();
    this.emit('stream', stream);
  }

  private protocolError(err: Error): void {
    if (this.isClosed) return;
    this.emit('protocolError', err);
    this.inbound = [];
    this.close(GoAwayStatus.ProtocolError);
  }

  // --- outbound -----------------------------------------------------------------------------------

  private enqueue(data: Buffer | Promise<Buffer>, done?: () => void): void {
    if (this.isClosed) return done?.();
    const item: OutItem = { pending: false, done };
    if (Buffer.isBuffer(data)) item.buf = data;
    else {
      item.pending = true;
      data.then(
        (buf) => {
          item.buf = buf;
          item.pending = false;
          this.pump();
        },
        (err: Error) => this.destroy(err),
      );
    }
    this.outq.push(item);
    this.pump();
  }

  // Writes queued frames in order; a frame whose header block is still being compressed holds
  // back everything behind it. A write the transport cannot take at once stops the pump until
  // 'drain', and the streams whose writes wait behind it stop with it.
  private pump(): void {
    while (!this.isClosed && !this.congested && this.outq.length > 0 && !this.outq[0].pending) {
      const item = this.outq.shift()!;
      const ok = this.transport.write(item.buf!);
      item.done?.();
      if (!ok) this.congested = true;
    }
  }
}

/**
 * One stream of a session as a Duplex: what the peer sends is read from it, what is written to it
 * goes to the peer, end() sends FIN (the peer may keep sending), destroy() before both sides have
 * finished sends RST_STREAM.
 */
export class SpdyStream extends Duplex {
  private localFinished = false;
  private remoteFinished = false;
  private resetByPeer = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: 256 * 1024 });
  }

  /** The first value of a request header (names are lowercase). */
  header(name: string): string | undefined {
    return this.headers.get(name)?.[0];
  }

  /** True once the peer has reset the stream. */
  get wasReset(): boolean {
    return this.resetByPeer;
  }

  override _read(): void {
    this.session.resumeFor(this);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false, () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.localFinished = true;
    this.session.sendData(this.id, EMPTY, true, () => callback());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.resetByPeer && !(this.localFinished && this.remoteFinished) && !this.session.closed)
      this.session.sendReset(this.id, RstStatus.Cancel);
    this.session.forget(this);
    callback(err);
  }

  /** @internal */
  remoteData(data: Buffer): void {
    if (this.remoteFinished || this.destroyed) return;
    if (!this.push(data)) this.session.pauseFor(this);
  }

  /** @internal */
  remoteFin(): void {
    if (this.remoteFinished || this.destroyed) return;
    this.remoteFinished = true;
    this.push(null);
  }

  /** @internal */
  remoteReset(): void {
    this.resetByPeer = true;
    this.destroy();
  }
}
