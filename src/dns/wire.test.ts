import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, RCode, RRType, splitName, WireError, type Message } from './wire.js';

const base = (over: Partial<Message> = {}): Message => ({
  id: 0x1234,
  qr: true,
  opcode: 0,
  aa: true,
  tc: false,
  rd: true,
  ra: false,
  rcode: 0,
  questions: [{ name: 'web.default.svc.cluster.local', type: RRType.A, class: 1 }],
  answers: [],
  authority: [],
  additional: [],
  ...over,
});

test('every record type survives an encode/decode round trip', () => {
  const m = base({
    answers: [
      { name: 'web.default.svc.cluster.local', type: RRType.A, ttl: 5, data: '10.96.0.20' },
      { name: 'web.default.svc.cluster.local', type: RRType.AAAA, ttl: 5, data: 'fd00:10:96::14' },
      { name: 'ext.default.svc.cluster.local', type: RRType.CNAME, ttl: 5, data: 'example.com' },
      { name: '20.0.96.10.in-addr.arpa', type: RRType.PTR, ttl: 5, data: 'web.default.svc.cluster.local' },
      {
        name: '_http._tcp.web.default.svc.cluster.local',
        type: RRType.SRV,
        ttl: 5,
        data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
      },
      { name: 'dns-version.cluster.local', type: RRType.TXT, ttl: 5, data: ['1.1.0'] },
      { name: 'cluster.local', type: RRType.NS, ttl: 5, data: 'ns.dns.cluster.local' },
    ],
    authority: [
      {
        name: 'cluster.local',
        type: RRType.SOA,
        ttl: 5,
        data: {
          mname: 'ns.dns.cluster.local',
          rname: 'hostmaster.cluster.local',
          serial: 4000000000,
          refresh: 7200,
          retry: 1800,
          expire: 86400,
          minimum: 5,
        },
      },
    ],
    edns: { udpSize: 1232, version: 0, extendedRcode: 0, dnssecOk: false },
  });
  const back = decodeMessage(encodeMessage(m));
  assert.deepEqual(back, m);
});

test('header flags and extended rcodes', () => {
  const m = base({ qr: false, aa: false, tc: true, rd: false, ra: true, opcode: 4 });
  const wire = encodeMessage(m);
  assert.equal(wire.readUInt16BE(0), 0x1234);
  assert.equal(wire.readUInt16BE(2), (4 << 11) | 0x0200 | 0x0080);
  assert.deepEqual(decodeMessage(wire), m);
  const bad = base({
    rcode: RCode.BADVERS,
    edns: { udpSize: 512, version: 0, extendedRcode: 0, dnssecOk: false },
  });
  const w2 = encodeMessage(bad);
  assert.equal(w2.readUInt16BE(2) & 0xf, 0, 'the low four bits of BADVERS (16) are 0');
  assert.equal(decodeMessage(w2).rcode, RCode.BADVERS);
});

test('names are compressed against earlier suffixes, case-insensitively, but not SRV targets', () => {
  const question = [{ name: 'WEB.default.svc.cluster.local', type: RRType.A, class: 1 }];
  const plain = encodeMessage(base({ questions: question }));
  const one = encodeMessage(
    base({
      questions: question,
      answers: [{ name: 'web.default.svc.cluster.local', type: RRType.A, ttl: 5, data: '10.0.0.1' }],
    }),
  );
  // The answer's owner is a 2-byte pointer to the question name: 2 + type/class/ttl/len 10 + 4 data.
  assert.equal(one.length - plain.length, 16);
  assert.equal(one.readUInt16BE(plain.length), 0xc000 | 12);
  const srv = encodeMessage(
    base({
      answers: [
        {
          name: 'x.cluster.local',
          type: RRType.SRV,
          ttl: 5,
          data: { priority: 0, weight: 1, port: 1, target: 'web.default.svc.cluster.local' },
        },
      ],
    }),
  );
  assert.ok(
    srv.includes(Buffer.from('\x03web\x07default\x03svc\x07cluster\x05local\x00', 'latin1'), plain.length),
  );
});

test('IPv6 addresses in every notation encode to the same 16 bytes', () => {
  for (const ip of ['::1', 'fd00::', '2001:db8::ff00:42:8329', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8']) {
    const m = base({ answers: [{ name: 'a.cluster.local', type: RRType.AAAA, ttl: 5, data: ip }] });
    const back = decodeMessage(encodeMessage(m)).answers[0].data as string;
    const again = decodeMessage(
      encodeMessage(base({ answers: [{ name: 'a.cluster.local', type: RRType.AAAA, ttl: 5, data: back }] })),
    ).answers[0].data;
    assert.equal(again, back, ip);
  }
  const round = (ip: string) =>
    decodeMessage(encodeMessage(base({ answers: [{ name: 'a', type: RRType.AAAA, ttl: 5, data: ip }] })))
      .answers[0].data;
  assert.equal(round('2001:0db8:0000:0000:0000:ff00:0042:8329'), '2001:db8::ff00:42:8329');
  assert.equal(round('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.throws(() => round('1::2::3'), WireError);
});

test('malformed input is a WireError, not a crash or a hang', () => {
  const loop = Buffer.alloc(18);
  loop.writeUInt16BE(1, 4); // one question
  loop.writeUInt16BE(0xc000 | 12, 12); // name points at itself
  assert.throws(() => decodeMessage(loop), /loop/);
  assert.throws(() => decodeMessage(Buffer.alloc(5)), WireError);
  const long = Buffer.concat([Buffer.alloc(12), Buffer.from([63]), Buffer.alloc(10)]);
  long.writeUInt16BE(1, 4);
  assert.throws(() => decodeMessage(long), WireError);
});

test('labels holding dots are escaped so they never alias a longer name', () => {
  const wire = Buffer.concat([
    Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    Buffer.from('\x07web.svc\x05local\x00\x00\x01\x00\x01', 'latin1'),
  ]);
  const q = decodeMessage(wire).questions[0];
  assert.equal(q.name, 'web\\.svc.local');
  assert.deepEqual(splitName(q.name), ['web.svc', 'local']);
  assert.deepEqual(encodeMessage({ ...decodeMessage(wire) }).subarray(12), wire.subarray(12));
});
