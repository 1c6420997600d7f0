import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';
import {
  decodeHeaderBlock,
  encodeHeaderBlock,
  HeaderCompressor,
  HeaderDecompressor,
  MAX_HEADER_BLOCK,
} from './headers.js';

test('the dictionary is the SPDY/3 one: 1423 bytes with Adler-32 0xe3c6a7c2', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  // A zlib stream made with a preset dictionary names it by its Adler-32 right after the 2-byte header.
  const z = zlib.deflateSync(Buffer.from('x'), { dictionary: SPDY3_DICTIONARY });
  assert.equal(z.readUInt32BE(2), 0xe3c6a7c2);
});

test('name/value blocks: 32-bit lengths, lowercase names, several values joined by NUL', () => {
  const block = encodeHeaderBlock({ StreamType: 'data', port: '80', accept: ['a', 'b'] });
  assert.equal(
    block.toString('hex'),
    '00000003' +
      '0000000a' +
      Buffer.from('streamtype').toString('hex') +
      '00000004' +
      Buffer.from('data').toString('hex') +
      '00000004' +
      Buffer.from('port').toString('hex') +
      '00000002' +
      Buffer.from('80').toString('hex') +
      '00000006' +
      Buffer.from('accept').toString('hex') +
      '00000003' +
      Buffer.from('a\0b').toString('hex'),
  );
  assert.deepEqual(
    decodeHeaderBlock(block),
    new Map([
      ['streamtype', ['data']],
      ['port', ['80']],
      ['accept', ['a', 'b']],
    ]),
  );
  assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({})), new Map());
});

test('malformed blocks are protocol errors', () => {
  const good = encodeHeaderBlock({ port: '80' });
  assert.throws(() => decodeHeaderBlock(good.subarray(0, good.length - 1)), /truncated/);
  assert.throws(() => decodeHeaderBlock(Buffer.concat([good, Buffer.from([0])])), /trailing/);
  const upper = Buffer.from(good);
  upper.write('P', 8);
  assert.throws(() => decodeHeaderBlock(upper), /not lowercase/);
  const twice = Buffer.concat([Buffer.from([0, 0, 0, 2]), good.subarray(4), good.subarray(4)]);
  assert.throws(() => decodeHeaderBlock(twice), /twice/);
  assert.throws(
    () => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])),
    SpdyProtocolError,
  );
});

test('one compression context carries across blocks, in order', async () => {
  const out = new HeaderCompressor();
  const inp = new HeaderDecompressor();
  try {
    const blocks: Record<string, string>[] = [];
    for (let i = 0; i < 20; i++)
      blocks.push({ streamtype: i % 2 ? 'data' : 'error', port: '8080', requestid: String(i >> 1) });
    // Start every compression before awaiting any: their order must still hold.
    const compressed = await Promise.all(blocks.map((b) => out.compress(b)));
    // Later blocks repeat earlier names and values, so the shared history makes them small.
    assert.ok(
      compressed[5].length < compressed[0].length / 2,
      `${compressed[5].length} vs ${compressed[0].length}`,
    );
    const decoded = await Promise.all(compressed.map((c) => inp.decompress(c)));
    decoded.forEach((d, i) =>
      assert.deepEqual(Object.fromEntries([...d].map(([k, v]) => [k, v[0]])), blocks[i]),
    );
    // The empty block a SYN_REPLY carries.
    assert.deepEqual(await inp.decompress(await out.compress(new Map())), new Map());
  } finally {
    out.close();
    inp.close();
  }
});

test("blocks compressed by kubectl 1.32's Go client decode in sequence", async () => {
  // The first two connections of `kubectl port-forward pod/web 18778:8080`, captured at this server.
  const captured = [
    '78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45e01c60616061c0c0c0c0590489c64c50f2663400000000ffff',
    'c2aa19540e2512d60b000000ffff',
    'a2c4624300000000ffff',
    'a2c0624300000000ffff',
  ];
  const expected = [
    ['error', '0'],
    ['data', '0'],
    ['error', '1'],
    ['data', '1'],
  ];
  const inp = new HeaderDecompressor();
  try {
    for (const [i, hex] of captured.entries()) {
      const headers = await inp.decompress(Buffer.from(hex, 'hex'));
      assert.deepEqual(
        headers,
        new Map([
          ['streamtype', [expected[i][0]]],
          ['port', ['8080']],
          ['requestid', [expected[i][1]]],
        ]),
      );
    }
  } finally {
    inp.close();
  }
});

test('a block made without the dictionary fails, and so does everything after it', async () => {
  const inp = new HeaderDecompressor();
  try {
    const foreign = zlib.deflateSync(encodeHeaderBlock({ port: '1' }), {
      dictionary: Buffer.from('not the SPDY dictionary'),
      flush: zlib.constants.Z_SYNC_FLUSH,
    });
    await assert.rejects(inp.decompress(foreign), SpdyProtocolError);
    const out = new HeaderCompressor();
    await assert.rejects(inp.decompress(await out.compress({ port: '1' })), SpdyProtocolError);
    out.close();
  } finally {
    inp.close();
  }
});

test('a block that inflates beyond the limit is refused', async () => {
  const out = new HeaderCompressor();
  const inp = new HeaderDecompressor();
  try {
    const huge = await out.compress({ big: 'x'.repeat(MAX_HEADER_BLOCK + 1) });
    assert.ok(huge.length < 4096);
    await assert.rejects(inp.decompress(huge), /too large/);
  } finally {
    out.close();
    inp.close();
  }
});
