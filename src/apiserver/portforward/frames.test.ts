import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeFrame,
  encodeFrame,
  FLAG_FIN,
  FrameParser,
  MAX_PAYLOAD,
  RstStatus,
  SpdyProtocolError,
  type Frame,
} from './frames.js';

const samples: Frame[] = [
  { type: 'data', streamId: 1, flags: 0, data: Buffer.from('hello') },
  { type: 'data', streamId: 0x7fffffff, flags: FLAG_FIN, data: Buffer.alloc(0) },
  {
    type: 'syn_stream',
    flags: FLAG_FIN,
    streamId: 3,
    associatedTo: 1,
    priority: 7,
    slot: 2,
    headerBlock: Buffer.from([1, 2, 3]),
  },
  { type: 'syn_reply', flags: 0, streamId: 3, headerBlock: Buffer.from([9, 9]) },
  { type: 'rst_stream', streamId: 5, status: RstStatus.Cancel },
  {
    type: 'settings',
    flags: 1,
    entries: [
      { flags: 0, id: 4, value: 100 },
      { flags: 2, id: 7, value: 0xffffffff },
    ],
  },
  { type: 'ping', id: 0xfffffffe },
  { type: 'goaway', lastGoodStreamId: 9, status: 1 },
  { type: 'headers', flags: FLAG_FIN, streamId: 7, headerBlock: Buffer.from('x') },
  { type: 'window_update', streamId: 1, delta: 65536 },
  { type: 'unknown', version: 3, kind: 10, flags: 0, payload: Buffer.from('cred') },
];

test('every frame type survives encode and decode', () => {
  for (const frame of samples) assert.deepEqual(decodeFrame(encodeFrame(frame)), frame, frame.type);
});

test('the header layout is SPDY/3: control bit, version 3, type, flags, 24-bit length', () => {
  const reply = encodeFrame({
    type: 'syn_reply',
    flags: FLAG_FIN,
    streamId: 1,
    headerBlock: Buffer.from('ab'),
  });
  assert.equal(reply.subarray(0, 8).toString('hex'), '8003000201000006');
  assert.equal(reply.readUInt32BE(8), 1);
  const data = encodeFrame({ type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('xyz') });
  assert.equal(data.toString('hex'), '0000000501000003' + Buffer.from('xyz').toString('hex'));
  const ping = encodeFrame({ type: 'ping', id: 1 });
  assert.equal(ping.toString('hex'), '800300060000000400000001');
});

test('the parser finds frames however the bytes are cut', () => {
  const stream = Buffer.concat(samples.map(encodeFrame));
  for (const cut of [1, 3, 7, 8, 13, stream.length]) {
    const parser = new FrameParser();
    const got: Frame[] = [];
    for (let at = 0; at < stream.length; at += cut) got.push(...parser.push(stream.subarray(at, at + cut)));
    assert.deepEqual(got, samples, `pieces of ${cut}`);
    assert.equal(parser.buffered, 0);
  }
});

test('the parser holds a partial frame until the rest arrives', () => {
  const frame = encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(100_000, 7) });
  const parser = new FrameParser();
  assert.deepEqual(parser.push(frame.subarray(0, 5)), []);
  assert.deepEqual(parser.push(frame.subarray(5, 50_000)), []);
  assert.equal(parser.buffered, 50_000);
  const [got] = parser.push(frame.subarray(50_000));
  assert.equal(got.type, 'data');
  assert.equal((got as { data: Buffer }).data.length, 100_000);
});

test('malformed frames are protocol errors', () => {
  const rst = encodeFrame({ type: 'rst_stream', streamId: 1, status: 1 });
  rst.writeUInt32BE(4, 4); // a RST_STREAM payload is exactly 8 bytes
  assert.throws(() => decodeFrame(rst.subarray(0, 12)), SpdyProtocolError);

  const v2 = encodeFrame({ type: 'ping', id: 1 });
  v2.writeUInt16BE(0x8002, 0);
  assert.throws(() => decodeFrame(v2), /unsupported SPDY version 2/);

  const stream0 = encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.from('x') });
  stream0.writeUInt32BE(0, 0);
  assert.throws(() => new FrameParser().push(stream0), SpdyProtocolError);

  const settings = encodeFrame({ type: 'settings', flags: 0, entries: [{ flags: 0, id: 1, value: 1 }] });
  settings.writeUInt32BE(5, 8); // claims more entries than it holds
  assert.throws(() => decodeFrame(settings), SpdyProtocolError);
});

test('payloads over 24 bits cannot be encoded', () => {
  assert.throws(
    () => encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(MAX_PAYLOAD + 1) }),
    RangeError,
  );
});
