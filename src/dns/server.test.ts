import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { startDnsServer, type DnsServer } from './server.js';
import { MemoryDnsSource, type DnsSource } from './source.js';
import { endpointSlice, pod, service } from './test-objects.js';
import { decodeMessage, encodeMessage, RCode, RRType } from './wire.js';

const source = new MemoryDnsSource([
  service('default', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] }),
  service('default', 'ext', { type: 'ExternalName', externalName: 'api.example.com' }),
  service('db', 'pg', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
  endpointSlice(
    'db',
    'pg',
    [
      { ip: '10.244.1.10', hostname: 'pg-0' },
      { ip: '10.244.2.11', hostname: 'pg-1' },
    ],
    [{ name: 'pg', port: 5432 }],
  ),
  pod('default', 'web-1', '10.244.1.7'),
]);

let server: DnsServer;
let port: number;
let resolver: Resolver;

before(async () => {
  server = await startDnsServer({ source, listen: [{ host: '127.0.0.1', port: 0 }] });
  await server.ready;
  port = server.addresses[0].port;
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
});
after(() => server?.close());

const code = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
};

test('A, SRV, CNAME and PTR through a real resolver', async () => {
  assert.deepEqual(await resolver.resolve4('web.default.svc.cluster.local'), ['10.96.0.20']);
  assert.deepEqual(await resolver.resolve4('web.default.svc.cluster.local', { ttl: true }), [
    { address: '10.96.0.20', ttl: 5 },
  ]);
  assert.deepEqual((await resolver.resolve4('pg.db.svc.cluster.local')).sort(), [
    '10.244.1.10',
    '10.244.2.11',
  ]);
  assert.deepEqual(await resolver.resolve4('pg-1.pg.db.svc.cluster.local'), ['10.244.2.11']);
  assert.deepEqual(await resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local'), [
    { name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 },
  ]);
  assert.deepEqual(
    (await resolver.resolveSrv('_pg._tcp.pg.db.svc.cluster.local')).map((s) => s.name).sort(),
    ['pg-0.pg.db.svc.cluster.local', 'pg-1.pg.db.svc.cluster.local'],
  );
  assert.deepEqual(await resolver.resolveCname('ext.default.svc.cluster.local'), ['api.example.com']);
  assert.deepEqual(await resolver.reverse('10.96.0.20'), ['web.default.svc.cluster.local']);
  assert.deepEqual(await resolver.reverse('10.244.1.10'), ['pg-0.pg.db.svc.cluster.local']);
  assert.deepEqual(await resolver.reverse('10.244.1.7'), ['10-244-1-7.default.pod.cluster.local']);
  assert.deepEqual(await resolver.resolve4('10-244-1-7.default.pod.cluster.local'), ['10.244.1.7']);
  assert.deepEqual(await resolver.resolve4('localhost'), ['127.0.0.1']);
});

test('NXDOMAIN, NODATA and refusal of outside names', async () => {
  assert.equal(await code(resolver.resolve4('nope.default.svc.cluster.local')), 'ENOTFOUND');
  assert.equal(await code(resolver.resolve6('web.default.svc.cluster.local')), 'ENODATA');
  const t0 = Date.now();
  assert.equal(await code(resolver.resolve4('example.com')), 'EREFUSED');
  assert.ok(Date.now() - t0 < 1000, 'refused at once, not after a timeout');
});

test('changes from the source show up in the next answer', async () => {
  assert.equal(await code(resolver.resolve4('new.default.svc.cluster.local')), 'ENOTFOUND');
  source.apply(service('default', 'new', { clusterIP: '10.96.0.99' }));
  assert.deepEqual(await resolver.resolve4('new.default.svc.cluster.local'), ['10.96.0.99']);
  source.apply(service('default', 'new', { clusterIP: '10.96.0.98' }));
  assert.deepEqual(await resolver.resolve4('new.default.svc.cluster.local'), ['10.96.0.98']);
  source.delete(service('default', 'new', {}));
  assert.equal(await code(resolver.resolve4('new.default.svc.cluster.local')), 'ENOTFOUND');
});

test('a truncated UDP answer is fetched again over TCP', async () => {
  // 300 A records (4800+ octets) exceed the 4096 the server sends over UDP whatever the client offers.
  source.apply(service('default', 'wide', { clusterIP: 'None' }));
  source.apply(
    endpointSlice(
      'default',
      'wide',
      Array.from({ length: 300 }, (_, i) => ({ ip: `10.244.${100 + Math.floor(i / 200)}.${(i % 200) + 1}` })),
    ),
  );
  const sock = dgram.createSocket('udp4');
  const udpAnswer = await new Promise<Buffer>((resolve, reject) => {
    sock.once('message', resolve);
    sock.once('error', reject);
    sock.send(rawQuery(1, 'wide.default.svc.cluster.local', RRType.A, 4096), port, '127.0.0.1');
  }).finally(() => sock.close());
  assert.ok(decodeMessage(udpAnswer).tc, 'the UDP answer has TC set');
  assert.equal((await resolver.resolve4('wide.default.svc.cluster.local')).length, 300);
});

function rawQuery(id: number, name: string, type: number, udpSize?: number): Buffer {
  return encodeMessage({
    id,
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
    edns: udpSize ? { udpSize, version: 0, extendedRcode: 0, dnssecOk: false } : undefined,
  });
}

test('TCP on the same port: several length-prefixed queries on one connection, split across writes', async () => {
  const frame = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  const both = Buffer.concat([
    frame(rawQuery(11, 'web.default.svc.cluster.local', RRType.A)),
    frame(rawQuery(12, 'nope.cluster.local', RRType.A)),
  ]);
  const replies = await new Promise<Buffer[]>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: Buffer[] = [];
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === 2) {
        c.end();
        resolve(out);
      }
    });
    c.on('error', reject);
    c.write(both.subarray(0, 7));
    setTimeout(() => c.write(both.subarray(7)), 20);
  });
  const [a, b] = replies.map(decodeMessage);
  assert.equal(a.id, 11);
  assert.equal(a.answers[0].data, '10.96.0.20');
  assert.equal(b.id, 12);
  assert.equal(b.rcode, RCode.NXDOMAIN);
});

test('dig sees the same answers (skipped without dig)', async (t) => {
  if (spawnSync('sh', ['-c', 'command -v dig']).status !== 0) return t.skip('dig is not installed');
  // Asynchronously: the server answers from this very process.
  const dig = async (...args: string[]) =>
    (await promisify(execFile)('dig', [`@127.0.0.1`, '-p', String(port), '+time=2', '+tries=1', ...args]))
      .stdout;
  assert.equal((await dig('+short', 'web.default.svc.cluster.local')).trim(), '10.96.0.20');
  assert.equal(
    (await dig('+short', '+tcp', 'SRV', '_http._tcp.web.default.svc.cluster.local')).trim(),
    '0 100 80 web.default.svc.cluster.local.',
  );
  const nx = await dig('nope.default.svc.cluster.local');
  assert.match(nx, /status: NXDOMAIN/);
  assert.match(nx, /flags: qr aa rd;/);
  assert.match(
    nx,
    /AUTHORITY SECTION:\ncluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./,
  );
  assert.match(await dig('example.com'), /status: REFUSED/);
  // "wide" (300 addresses) comes from the truncation test above.
  const wide = await dig('+bufsize=1232', 'wide.default.svc.cluster.local');
  assert.match(wide, /;; Truncated, retrying in TCP mode/);
  assert.match(wide, /ANSWER: 300,/);
  assert.equal((await dig('+short', '-x', '10.96.0.20')).trim(), 'web.default.svc.cluster.local.');
  assert.match(await dig('+norec', 'pg.db.svc.cluster.local'), /EDNS: version: 0, flags:; udp: 4096/);
  assert.match(await dig('+dnssec', 'pg.db.svc.cluster.local'), /EDNS: version: 0, flags: do; udp: 4096/);
});

test('until the source has synced, cluster names get SERVFAIL; outside names are still refused', async () => {
  const never: DnsSource = {
    watch: () => ({ synced: new Promise<void>(() => {}), stop: () => {} }),
  };
  const s = await startDnsServer({
    source: never,
    listen: [{ host: '127.0.0.1', port: 0 }],
    pods: 'disabled',
  });
  try {
    const r = new Resolver({ timeout: 1000, tries: 1 });
    r.setServers([`127.0.0.1:${s.addresses[0].port}`]);
    assert.equal(await code(r.resolve4('web.default.svc.cluster.local')), 'ESERVFAIL');
    assert.equal(await code(r.resolve4('example.com')), 'EREFUSED');
  } finally {
    await s.close();
  }
});

test('options: other cluster domain, SERVFAIL for outside names, forwarding refused, port released on close', async () => {
  await assert.rejects(() =>
    startDnsServer({ source, listen: [{ host: '127.0.0.1', port: 0 }], upstream: '8.8.8.8' as 'none' }),
  );
  const s = await startDnsServer({
    source,
    listen: [{ host: '127.0.0.1', port: 0 }],
    clusterDomain: 'mizzen.internal.',
    outside: 'servfail',
  });
  const p = s.addresses[0].port;
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([`127.0.0.1:${p}`]);
  assert.deepEqual(await r.resolve4('web.default.svc.mizzen.internal'), ['10.96.0.20']);
  assert.equal(await code(r.resolve4('web.default.svc.cluster.local')), 'ESERVFAIL');
  await s.close();
  await s.close();
  const again = await startDnsServer({ source, listen: [{ host: '127.0.0.1', port: p }] });
  assert.equal(again.addresses[0].port, p);
  await again.close();
});
