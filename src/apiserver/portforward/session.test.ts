import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { encodeFrame, FLAG_FIN, FrameParser, GoAwayStatus, RstStatus, type Frame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.js';
import { SpdySession, type SpdySessionOptions, type SpdyStream } from './session.js';

/** The client end of a session over loopback TCP, speaking raw frames. */
class Client {
  readonly frames: Frame[] = [];
  private readonly parser = new FrameParser();
  private readonly compressor = new HeaderCompressor();
  readonly decompressor = new HeaderDecompressor();
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(...this.parser.push(chunk));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(frame: Frame): void {
    this.socket.write(encodeFrame(frame));
  }

  async open(streamId: number, headers: Record<string, string>, flags = 0): Promise<void> {
    const headerBlock = await this.compressor.compress(headers);
    this.send({ type: 'syn_stream', flags, streamId, associatedTo: 0, priority: 0, slot: 0, headerBlock });
  }

  async headers(streamId: number, headers: Record<string, string>): Promise<void> {
    this.send({ type: 'headers', flags: 0, streamId, headerBlock: await this.compressor.compress(headers) });
  }

  /** Waits for the first frame (not yet taken) that matches, and takes it and all before it. */
  async take(match: (f: Frame) => boolean, what: string): Promise<Frame> {
    for (;;) {
      const at = this.frames.findIndex(match);
      if (at >= 0) return this.frames.splice(0, at + 1)[at];
      if (this.closed) throw new Error(`connection closed before ${what}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Data received on a stream until its FIN. */
  async readAll(streamId: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const f = (await this.take((x) => x.type === 'data' && x.streamId === streamId, 'data')) as Extract<
        Frame,
        { type: 'data' }
      >;
      parts.push(f.data);
      if (f.flags & FLAG_FIN) return Buffer.concat(parts);
    }
  }

  close(): void {
    this.compressor.close();
    this.decompressor.close();
    this.socket.destroy();
  }
}

async function pair(
  opts?: SpdySessionOptions,
): Promise<{ session: SpdySession; client: Client; streams: SpdyStream[] }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [serverSocket] = (await accepted) as [net.Socket];
  server.close();
  const session = new SpdySession(serverSocket, opts);
  const streams: SpdyStream[] = [];
  session.on('stream', (s: SpdyStream) => streams.push(s));
  return { session, client: new Client(socket), streams };
}

const isReply = (id: number) => (f: Frame) => f.type === 'syn_reply' && f.streamId === id;

test('a stream is answered with SYN_REPLY and carries data both ways with half-closes', async () => {
  const { session, client, streams } = await pair();
  try {
    await client.open(1, { streamtype: 'data', port: '80' });
    const reply = (await client.take(isReply(1), 'SYN_REPLY')) as Extract<Frame, { type: 'syn_reply' }>;
    assert.equal(reply.flags, 0);
    assert.deepEqual(await client.decompressor.decompress(reply.headerBlock), new Map());
    const stream = streams[0];
    assert.equal(stream.id, 1);
    assert.deepEqual(
      stream.headers,
      new Map([
        ['streamtype', ['data']],
        ['port', ['80']],
      ]) as SpdyHeaders,
    );

    client.send({ type: 'data', streamId: 1, flags: 0, data: Buffer.from('from ') });
    client.send({ type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.from('client') });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    await once(stream, 'end');
    assert.equal(Buffer.concat(chunks).toString(), 'from client');

    // The client has finished sending; the server may still answer.
    const closed = once(stream, 'close');
    stream.end('from server');
    assert.equal((await client.readAll(1)).toString(), 'from server');
    await closed;
    assert.equal(session.size, 0);
  } finally {
    client.close();
    session.destroy();
  }
});

test('large writes are split into data frames no bigger than the limit', async () => {
  const { session, client, streams } = await pair({ maxDataFrame: 1000 });
  try {
    await client.open(1, { streamtype: 'data', port: '80' });
    await client.take(isReply(1), 'SYN_REPLY');
    const payload = Buffer.alloc(4500, 'z');
    streams[0].end(payload);
    const sizes: number[] = [];
    for (;;) {
      const f = (await client.take((x) => x.type === 'data', 'data')) as Extract<Frame, { type: 'data' }>;
      sizes.push(f.data.length);
      if (f.flags & FLAG_FIN) break;
    }
    assert.ok(sizes.every((n) => n <= 1000));
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      4500,
    );
  } finally {
    client.close();
    session.destroy();
  }
});

test('a refused stream gets SYN_REPLY with FIN and is not handed out', async () => {
  const { session, client, streams } = await pair({ accept: (h) => h.get('port')?.[0] !== '0' });
  try {
    await client.open(1, { streamtype: 'data', port: '0' });
    const reply = await client.take(isReply(1), 'SYN_REPLY');
    assert.equal((reply as { flags: number }).flags, FLAG_FIN);
    await client.open(3, { streamtype: 'data', port: '1' });
    await client.take(isReply(3), 'SYN_REPLY');
    assert.deepEqual(
      streams.map((s) => s.id),
      [3],
    );
  } finally {
    client.close();
    session.destroy();
  }
});

test('pings from the client are echoed; settings, window updates and headers are absorbed', async () => {
  const { session, client, streams } = await pair();
  try {
    client.send({ type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 65536 }] });
    client.send({ type: 'window_update', streamId: 0, delta: 1000 });
    client.send({ type: 'ping', id: 2 }); // an answer to a ping the server never sent: dropped
    client.send({ type: 'ping', id: 5 });
    const pong = await client.take((f) => f.type === 'ping', 'PING');
    assert.deepEqual(pong, { type: 'ping', id: 5 });
    await client.open(1, { streamtype: 'data', port: '80' });
    await client.take(isReply(1), 'SYN_REPLY');
    // A HEADERS block goes through the shared inflater, so the next SYN_STREAM still decodes.
    await client.headers(1, { 'x-ignored': 'yes' });
    await client.open(3, { streamtype: 'error', port: '80' });
    await client.take(isReply(3), 'SYN_REPLY');
    assert.deepEqual(
      streams.map((s) => s.header('streamtype')),
      ['data', 'error'],
    );
  } finally {
    client.close();
    session.destroy();
  }
});

test('RST_STREAM from the client destroys the stream; destroying a stream early resets it', async () => {
  const { session, client, streams } = await pair();
  try {
    await client.open(1, { streamtype: 'data', port: '80' });
    await client.open(3, { streamtype: 'data', port: '80' });
    await client.take(isReply(3), 'SYN_REPLY');
    const [first, second] = streams;
    client.send({ type: 'rst_stream', streamId: 1, status: RstStatus.Cancel });
    await once(first, 'close');
    assert.equal(first.wasReset, true);
    second.destroy();
    const rst = await client.take((f) => f.type === 'rst_stream', 'RST_STREAM');
    assert.deepEqual(rst, { type: 'rst_stream', streamId: 3, status: RstStatus.Cancel });
    assert.equal(session.size, 0);
  } finally {
    client.close();
    session.destroy();
  }
});

test('stream ids must be odd and increasing', async () => {
  const { session, client, streams } = await pair();
  try {
    await client.open(5, { streamtype: 'data', port: '80' });
    await client.open(3, { streamtype: 'data', port: '80' });
    await client.open(6, { streamtype: 'data', port: '80' });
    assert.deepEqual(await client.take((f) => f.type === 'rst_stream', 'RST_STREAM'), {
      type: 'rst_stream',
      streamId: 3,
      status: RstStatus.ProtocolError,
    });
    assert.deepEqual(await client.take((f) => f.type === 'rst_stream', 'RST_STREAM'), {
      type: 'rst_stream',
      streamId: 6,
      status: RstStatus.ProtocolError,
    });
    assert.deepEqual(
      streams.map((s) => s.id),
      [5],
    );
  } finally {
    client.close();
    session.destroy();
  }
});

test('a frame of another SPDY version ends the session with GOAWAY(PROTOCOL_ERROR)', async () => {
  const { session, client } = await pair();
  try {
    const closed = once(session, 'close');
    client.socket.write(Buffer.from('800200060000000400000001', 'hex')); // a SPDY/2 PING
    const goaway = await client.take((f) => f.type === 'goaway', 'GOAWAY');
    assert.equal((goaway as { status: number }).status, GoAwayStatus.ProtocolError);
    await closed;
  } finally {
    client.close();
  }
});

test("the client's GOAWAY closes the session once its streams are done", async () => {
  const { session, client, streams } = await pair();
  try {
    await client.open(1, { streamtype: 'data', port: '80' });
    await client.take(isReply(1), 'SYN_REPLY');
    client.send({ type: 'goaway', lastGoodStreamId: 0, status: GoAwayStatus.Ok });
    await client.open(3, { streamtype: 'data', port: '80' });
    assert.deepEqual(await client.take((f) => f.type === 'rst_stream', 'RST_STREAM'), {
      type: 'rst_stream',
      streamId: 3,
      status: RstStatus.RefusedStream,
    });
    assert.equal(session.closed, false);
    const closed = once(session, 'close');
    client.send({ type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) });
    streams[0].resume();
    streams[0].end();
    await client.take((f) => f.type === 'goaway', 'GOAWAY');
    await closed;
  } finally {
    client.close();
  }
});

test('the transport closing destroys every stream', async () => {
  const { session, client, streams } = await pair();
  await client.open(1, { streamtype: 'data', port: '80' });
  await client.take(isReply(1), 'SYN_REPLY');
  const closed = Promise.all([once(streams[0], 'close'), once(session, 'close')]);
  client.close();
  await closed;
  assert.equal(session.closed, true);
});
