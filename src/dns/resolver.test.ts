import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState, type DnsKind } from './cluster-state.js';
import { resolve, type Answer } from './resolver.js';
import { endpointSlice, pod, service } from './test-objects.js';
import { RCode, RRType } from './wire.js';
import { buildZone, type PodMode, type Zone } from './zone.js';

const kindOf: Record<string, DnsKind> = { Service: 'services', EndpointSlice: 'endpointslices', Pod: 'pods' };

function zoneOf(objects: any[], pods: PodMode = 'insecure', domain = 'cluster.local'): Zone {
  const st = new ClusterState();
  for (const o of objects) st.apply(kindOf[o.kind], o);
  return buildZone(st, { domain, ttl: 5, pods, serial: 42, nameservers: ['10.96.0.10'] });
}

/** Answer data as short strings, e.g. "A 10.0.0.1", "SRV 0 100 80 web.default.svc.cluster.local". */
const data = (rs: Answer['answers']): string[] =>
  rs.map((r) => {
    const d = r.data as any;
    const t = Object.entries(RRType).find(([, v]) => v === r.type)![0];
    if (r.type === RRType.SRV) return `${t} ${d.priority} ${d.weight} ${d.port} ${d.target}`;
    if (r.type === RRType.SOA) return `${t} ${r.name}`;
    if (r.type === RRType.TXT) return `${t} ${d.join(' ')}`;
    return `${t} ${d}`;
  });

const CLUSTER = [
  service('default', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }, { port: 8080 }] }),
  service('default', 'dual', {
    clusterIP: '10.96.0.21',
    clusterIPs: ['10.96.0.21', 'fd00:10:96::21'],
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
  }),
  service('db', 'pg', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
  endpointSlice(
    'db',
    'pg',
    [
      { ip: '10.244.1.10', hostname: 'pg-0' },
      { ip: '10.244.2.11', hostname: 'pg-1' },
      { ip: '10.244.2.12' },
      { ip: '10.244.2.13', ready: false },
    ],
    [{ name: 'pg', port: 15432 }],
  ),
  service('db', 'empty', { clusterIP: 'None' }),
  service('db', 'tolerant', { clusterIP: 'None', publishNotReadyAddresses: true }),
  endpointSlice('db', 'tolerant', [{ ip: '10.244.3.1', ready: false }]),
  service('default', 'ext', { type: 'ExternalName', externalName: 'api.example.com.' }),
  service('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
  service('default', 'pending', { type: 'ClusterIP' }),
  pod('default', 'web-1', '10.244.1.7'),
  pod('kube-system', 'host', '192.168.1.5', true),
];

const zone = zoneOf(CLUSTER);
const q = (name: string, type: number, z = zone) => resolve(z, name, type);

test('ClusterIP services: A, AAAA per family, NODATA for the other type', () => {
  const a = q('web.default.svc.cluster.local', RRType.A);
  assert.equal(a.rcode, RCode.NOERROR);
  assert.ok(a.aa);
  assert.deepEqual(data(a.answers), ['A 10.96.0.20']);
  assert.equal(a.answers[0].ttl, 5);
  const none = q('web.default.svc.cluster.local', RRType.AAAA);
  assert.equal(none.rcode, RCode.NOERROR);
  assert.deepEqual(none.answers, []);
  assert.deepEqual(data(none.authority), ['SOA cluster.local'], 'NODATA carries the SOA');
  assert.deepEqual(data(q('dual.default.svc.cluster.local', RRType.AAAA).answers), ['AAAA fd00:10:96::21']);
  assert.deepEqual(data(q('dual.default.svc.cluster.local', RRType.A).answers), ['A 10.96.0.21']);
});

test('names compare case-insensitively; the answer echoes the question as asked', () => {
  const a = q('WeB.DEFAULT.svc.Cluster.Local.', RRType.A);
  assert.deepEqual(data(a.answers), ['A 10.96.0.20']);
  assert.equal(a.answers[0].name, 'WeB.DEFAULT.svc.Cluster.Local');
});

test('unknown names in the cluster domain are NXDOMAIN with the SOA; existing names without the type are NODATA', () => {
  for (const name of [
    'nope.default.svc.cluster.local',
    'web.nons.svc.cluster.local',
    'x.web.default.svc.cluster.local',
    'foo.cluster.local',
    'web.default.cluster.local',
  ]) {
    const a = q(name, RRType.A);
    assert.equal(a.rcode, RCode.NXDOMAIN, name);
    assert.deepEqual(data(a.authority), ['SOA cluster.local'], name);
    assert.ok(a.aa);
  }
  // Empty non-terminals and namespaces exist: NODATA so search lists and resolvers behave.
  for (const name of [
    'svc.cluster.local',
    'default.svc.cluster.local',
    'db.svc.cluster.local',
    '_tcp.web.default.svc.cluster.local',
    'pod.cluster.local',
    'cluster.local',
  ]) {
    const a = q(name, RRType.A);
    assert.equal(a.rcode, RCode.NOERROR, name);
    assert.deepEqual(a.answers, [], name);
  }
  // A headless Service with no ready endpoint and a Service still waiting for its IP exist.
  assert.equal(q('empty.db.svc.cluster.local', RRType.A).rcode, RCode.NOERROR);
  assert.equal(q('pending.default.svc.cluster.local', RRType.A).rcode, RCode.NOERROR);
});

test('headless services answer with the ready endpoints, by hostname and by dashed IP', () => {
  assert.deepEqual(data(q('pg.db.svc.cluster.local', RRType.A).answers).sort(), [
    'A 10.244.1.10',
    'A 10.244.2.11',
    'A 10.244.2.12',
  ]);
  assert.deepEqual(data(q('pg-1.pg.db.svc.cluster.local', RRType.A).answers), ['A 10.244.2.11']);
  assert.deepEqual(data(q('10-244-2-12.pg.db.svc.cluster.local', RRType.A).answers), ['A 10.244.2.12']);
  assert.equal(q('10-244-2-13.pg.db.svc.cluster.local', RRType.A).rcode, RCode.NXDOMAIN, 'not ready');
  assert.deepEqual(data(q('tolerant.db.svc.cluster.local', RRType.A).answers), ['A 10.244.3.1']);
  assert.deepEqual(q('empty.db.svc.cluster.local', RRType.A).answers, []);
});

test('SRV for named ports: service port for ClusterIP, endpoint port per endpoint for headless', () => {
  const web = q('_http._tcp.web.default.svc.cluster.local', RRType.SRV);
  assert.deepEqual(data(web.answers), ['SRV 0 100 80 web.default.svc.cluster.local']);
  assert.deepEqual(data(web.additional), ['A 10.96.0.20'], 'the target address comes along');
  assert.deepEqual(data(q('_dns._udp.dual.default.svc.cluster.local', RRType.SRV).answers), [
    'SRV 0 100 53 dual.default.svc.cluster.local',
  ]);
  assert.equal(
    q('_dns._tcp.dual.default.svc.cluster.local', RRType.SRV).rcode,
    RCode.NXDOMAIN,
    'wrong protocol',
  );
  assert.equal(
    q('_8080._tcp.web.default.svc.cluster.local', RRType.SRV).rcode,
    RCode.NXDOMAIN,
    'unnamed port',
  );
  const pg = q('_PG._TCP.pg.db.svc.cluster.local', RRType.SRV);
  assert.deepEqual(data(pg.answers).sort(), [
    'SRV 0 33 15432 10-244-2-12.pg.db.svc.cluster.local',
    'SRV 0 33 15432 pg-0.pg.db.svc.cluster.local',
    'SRV 0 33 15432 pg-1.pg.db.svc.cluster.local',
  ]);
  assert.deepEqual(data(pg.additional).sort(), ['A 10.244.1.10', 'A 10.244.2.11', 'A 10.244.2.12']);
});

test('ExternalName is a CNAME; in-zone targets are followed, outside ones left to the client', () => {
  const ext = q('ext.default.svc.cluster.local', RRType.A);
  assert.equal(ext.rcode, RCode.NOERROR);
  assert.deepEqual(data(ext.answers), ['CNAME api.example.com']);
  assert.deepEqual(data(q('ext.default.svc.cluster.local', RRType.CNAME).answers), ['CNAME api.example.com']);
  const alias = q('alias.default.svc.cluster.local', RRType.A);
  assert.deepEqual(data(alias.answers), ['CNAME web.default.svc.cluster.local', 'A 10.96.0.20']);
  assert.equal(alias.answers[1].name, 'web.default.svc.cluster.local');
});

test('PTR for service IPs, headless endpoints and pods; loopback reverse is localhost', () => {
  assert.deepEqual(data(q('20.0.96.10.in-addr.arpa', RRType.PTR).answers), [
    'PTR web.default.svc.cluster.local',
  ]);
  assert.deepEqual(data(q('10.1.244.10.in-addr.arpa', RRType.PTR).answers), [
    'PTR pg-0.pg.db.svc.cluster.local',
  ]);
  assert.deepEqual(data(q('12.2.244.10.in-addr.arpa', RRType.PTR).answers), [
    'PTR 10-244-2-12.pg.db.svc.cluster.local',
  ]);
  assert.deepEqual(data(q('7.1.244.10.in-addr.arpa', RRType.PTR).answers), [
    'PTR 10-244-1-7.default.pod.cluster.local',
  ]);
  const v6 = q('1.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa', RRType.PTR);
  assert.deepEqual(data(v6.answers), ['PTR dual.default.svc.cluster.local']);
  assert.deepEqual(data(q('1.0.0.127.in-addr.arpa', RRType.PTR).answers), ['PTR localhost']);
  const unknown = q('5.1.168.192.in-addr.arpa', RRType.PTR);
  assert.equal(unknown.rcode, RCode.NXDOMAIN, 'host-network pods get no PTR');
  assert.deepEqual(data(unknown.authority), ['SOA in-addr.arpa']);
});

test('pod records: insecure answers any address, verified only running pods, disabled none', () => {
  assert.deepEqual(data(q('10-244-9-9.any.pod.cluster.local', RRType.A).answers), ['A 10.244.9.9']);
  assert.deepEqual(data(q('fd00--7.any.pod.cluster.local', RRType.AAAA).answers), ['AAAA fd00::7']);
  assert.equal(q('not-an-ip.default.pod.cluster.local', RRType.A).rcode, RCode.NXDOMAIN);
  const verified = zoneOf(CLUSTER, 'verified');
  assert.deepEqual(data(q('10-244-1-7.default.pod.cluster.local', RRType.A, verified).answers), [
    'A 10.244.1.7',
  ]);
  assert.equal(
    q('10-244-1-7.db.pod.cluster.local', RRType.A, verified).rcode,
    RCode.NXDOMAIN,
    'other namespace',
  );
  assert.equal(q('10-244-9-9.default.pod.cluster.local', RRType.A, verified).rcode, RCode.NXDOMAIN);
  const off = zoneOf(CLUSTER, 'disabled');
  assert.equal(q('10-244-1-7.default.pod.cluster.local', RRType.A, off).rcode, RCode.NXDOMAIN);
});

test('zone apex: SOA, NS with its address, schema version', () => {
  assert.deepEqual(data(q('cluster.local', RRType.SOA).answers), ['SOA cluster.local']);
  const ns = q('cluster.local', RRType.NS);
  assert.deepEqual(data(ns.answers), ['NS ns.dns.cluster.local']);
  assert.deepEqual(data(ns.additional), ['A 10.96.0.10']);
  assert.deepEqual(data(q('dns-version.cluster.local', RRType.TXT).answers), ['TXT 1.1.0']);
});

test('outside the cluster domain: refused, never forwarded; localhost resolves', () => {
  for (const name of ['example.com', 'com', 'cluster.local.example.com', 'evilcluster.local', '']) {
    const a = q(name, RRType.A);
    assert.equal(a.rcode, RCode.REFUSED, name);
    assert.ok(!a.aa);
    assert.deepEqual([...a.answers, ...a.authority], []);
  }
  assert.equal(
    resolve(zone, 'example.com', RRType.A, { outsideRcode: RCode.SERVFAIL }).rcode,
    RCode.SERVFAIL,
  );
  assert.deepEqual(data(q('localhost', RRType.A).answers), ['A 127.0.0.1']);
  assert.deepEqual(data(q('LocalHost.', RRType.AAAA).answers), ['AAAA ::1']);
  assert.deepEqual(data(q('app.localhost', RRType.A).answers), ['A 127.0.0.1']);
  assert.deepEqual(q('localhost', 15 /* MX */).answers, []);
});

test('another cluster domain', () => {
  const z = zoneOf(CLUSTER, 'insecure', 'Mizzen.Internal');
  assert.deepEqual(data(q('web.default.svc.mizzen.internal', RRType.A, z).answers), ['A 10.96.0.20']);
  assert.equal(q('web.default.svc.cluster.local', RRType.A, z).rcode, RCode.REFUSED);
});

test('ANY returns every record at the name', () => {
  assert.deepEqual(data(q('dual.default.svc.cluster.local', RRType.ANY).answers).sort(), [
    'A 10.96.0.21',
    'AAAA fd00:10:96::21',
  ]);
});

test('state changes: endpoints come and go, deleted services disappear', () => {
  const st = new ClusterState();
  st.replace(
    'services',
    CLUSTER.filter((o) => o.kind === 'Service'),
  );
  const build = () => buildZone(st, { domain: 'cluster.local', ttl: 5, pods: 'insecure' });
  assert.deepEqual(q('pg.db.svc.cluster.local', RRType.A, build()).answers, []);
  const v = st.version;
  st.apply('endpointslices', endpointSlice('db', 'pg', [{ ip: '10.244.5.5' }]));
  st.apply('endpointslices', endpointSlice('db', 'pg', [{ ip: '10.244.5.6' }], [], { name: 'pg-second' }));
  assert.ok(st.version > v);
  assert.deepEqual(data(q('pg.db.svc.cluster.local', RRType.A, build()).answers).sort(), [
    'A 10.244.5.5',
    'A 10.244.5.6',
  ]);
  st.remove('endpointslices', endpointSlice('db', 'pg', []));
  assert.deepEqual(data(q('pg.db.svc.cluster.local', RRType.A, build()).answers), ['A 10.244.5.6']);
  st.remove('services', service('default', 'web', {}));
  assert.equal(q('web.default.svc.cluster.local', RRType.A, build()).rcode, RCode.NXDOMAIN);
  assert.equal(q('20.0.96.10.in-addr.arpa', RRType.PTR, build()).rcode, RCode.NXDOMAIN);
});

test('rotation changes the order of multi-address answers, not the set', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const a = resolve(zone, 'pg.db.svc.cluster.local', RRType.A, { rotate: () => i / 3 });
    seen.add(data(a.answers)[0]);
    assert.equal(a.answers.length, 3);
  }
  assert.equal(seen.size, 3);
});
