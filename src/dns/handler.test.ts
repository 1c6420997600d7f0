import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState } from './cluster-state.js';
import { handleQuery } from './handler.js';
import { endpointSlice, service } from './test-objects.js';
import { decodeMessage, encodeMessage, RCode, RRType, type Edns, type Message } from './wire.js';
import { buildZone } from './zone.js';

const st = new ClusterState();
st.apply('services', service('default', 'web', { clusterIP: '10.96.0.20' }));
st.apply('services', service('default', 'big', { clusterIP: 'None' }));
// 100 endpoints: 100 * 16 bytes of A records is far over 512 and under 4096.
st.apply(
  'endpointslices',
  endpointSlice(
    'default',
    'big',
    Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}` })),
  ),
);
const zone = buildZone(st, { domain: 'cluster.local', ttl: 5, pods: 'insecure' });

const query = (name: string, type: number, over: Partial<Message> & { edns?: Edns } = {}): Buffer =>
  encodeMessage({
    id: 777,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: true,
    ra: false,
    rcode: 0,
    questions: [{ name, type, class: 1 }],
    answers: [],
    authority: [],
    additional: [],
    ...over,
  });

const ask = (req: Buffer, transport: 'udp' | 'tcp' = 'udp', synced = true) => {
  const out = handleQuery(req, zone, { transport, synced });
  assert.ok(out, 'an answer');
  return { wire: out, msg: decodeMessage(out) };
};

test('echoes id, RD and the question exactly; sets QR and AA; no recursion available', () => {
  const { msg } = ask(query('Web.Default.SVC.cluster.local', RRType.A));
  assert.equal(msg.id, 777);
  assert.ok(msg.qr && msg.aa && msg.rd && !msg.ra && !msg.tc);
  assert.deepEqual(msg.questions, [{ name: 'Web.Default.SVC.cluster.local', type: RRType.A, class: 1 }]);
  assert.deepEqual(
    msg.answers.map((a) => a.data),
    ['10.96.0.20'],
  );
});

test('large UDP answers are truncated to what the client takes; TCP carries them whole', () => {
  const plain = ask(query('big.default.svc.cluster.local', RRType.A));
  assert.ok(plain.msg.tc, 'over 512 octets without EDNS');
  assert.ok(plain.wire.length <= 512);
  assert.deepEqual(plain.msg.answers, []);
  assert.equal(plain.msg.questions.length, 1);

  const small = ask(
    query('big.default.svc.cluster.local', RRType.A, {
      edns: { udpSize: 1232, version: 0, extendedRcode: 0, dnssecOk: false },
    }),
  );
  assert.ok(small.msg.tc, '1600+ octets do not fit 1232');

  const edns = ask(
    query('big.default.svc.cluster.local', RRType.A, {
      edns: { udpSize: 4096, version: 0, extendedRcode: 0, dnssecOk: false },
    }),
  );
  assert.ok(!edns.msg.tc);
  assert.equal(edns.msg.answers.length, 100);
  assert.ok(edns.wire.length > 1232);
  assert.equal(edns.msg.edns?.version, 0, 'an EDNS query gets an OPT record back');

  const tcp = ask(query('big.default.svc.cluster.local', RRType.A), 'tcp');
  assert.ok(!tcp.msg.tc);
  assert.equal(tcp.msg.answers.length, 100);
  assert.equal(tcp.msg.edns, undefined, 'no OPT when the client sent none');
});

test('a tiny advertised EDNS size still allows 512 octets; the server caps huge ones', () => {
  const tiny = ask(
    query('web.default.svc.cluster.local', RRType.A, {
      edns: { udpSize: 100, version: 0, extendedRcode: 0, dnssecOk: false },
    }),
  );
  assert.ok(!tiny.msg.tc);
  assert.equal(tiny.msg.answers.length, 1);
  const capped = handleQuery(
    query('big.default.svc.cluster.local', RRType.A, {
      edns: { udpSize: 65000, version: 0, extendedRcode: 0, dnssecOk: false },
    }),
    zone,
    { transport: 'udp', maxUdpSize: 1000 },
  )!;
  assert.ok(decodeMessage(capped).tc);
  assert.equal(decodeMessage(capped).edns?.udpSize, 1000);
});

test('protocol errors: FORMERR, NOTIMP, BADVERS, zone transfers refused, responses ignored', () => {
  const garbage = Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0]);
  const fe = ask(garbage).msg;
  assert.equal(fe.id, 9);
  assert.equal(fe.rcode, RCode.FORMERR);
  assert.equal(handleQuery(Buffer.from([1, 2, 3]), zone, { transport: 'udp' }), undefined);
  assert.equal(ask(query('web.default.svc.cluster.local', RRType.A, { opcode: 2 })).msg.rcode, RCode.NOTIMP);
  const two = query('a.cluster.local', RRType.A, {
    questions: [
      { name: 'a.cluster.local', type: 1, class: 1 },
      { name: 'b.cluster.local', type: 1, class: 1 },
    ],
  });
  assert.equal(ask(two).msg.rcode, RCode.FORMERR);
  const v1 = ask(
    query('web.default.svc.cluster.local', RRType.A, {
      edns: { udpSize: 1232, version: 1, extendedRcode: 0, dnssecOk: false },
    }),
  ).msg;
  assert.equal(v1.rcode, RCode.BADVERS);
  assert.equal(ask(query('cluster.local', 252)).msg.rcode, RCode.REFUSED);
  assert.equal(
    handleQuery(query('web.default.svc.cluster.local', RRType.A, { qr: true }), zone, { transport: 'udp' }),
    undefined,
  );
  const chaos = encodeMessage({
    ...decodeMessage(query('version.bind', RRType.TXT)),
    questions: [{ name: 'version.bind', type: RRType.TXT, class: 3 }],
  });
  assert.equal(ask(chaos).msg.rcode, RCode.REFUSED);
});

test('before the informers sync, cluster names are SERVFAIL (never a cached NXDOMAIN); the rest answers', () => {
  assert.equal(ask(query('web.default.svc.cluster.local', RRType.A), 'udp', false).msg.rcode, RCode.SERVFAIL);
  assert.equal(ask(query('localhost', RRType.A), 'udp', false).msg.answers[0].data, '127.0.0.1');
  assert.equal(ask(query('example.com', RRType.A), 'udp', false).msg.rcode, RCode.REFUSED);
});

test('NXDOMAIN and REFUSED on the wire', () => {
  const nx = ask(query('nope.default.svc.cluster.local', RRType.A)).msg;
  assert.equal(nx.rcode, RCode.NXDOMAIN);
  assert.equal(nx.authority[0].type, RRType.SOA);
  const out = ask(query('example.com', RRType.A)).msg;
  assert.equal(out.rcode, RCode.REFUSED);
  assert.ok(!out.aa);
});
