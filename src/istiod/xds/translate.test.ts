import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { sidecarGenerator } from './gen/sidecar.js';
import { parseNode } from './node.js';
import { decodeAny, encodeAny, TypeUrl } from './proto.js';
import { createPushContext } from './push-context.js';
import { bookinfoSnapshot, productpageNode } from './testdata-bookinfo.js';

const golden = (name: string) => new URL(`../../../../src/istiod/xds/testdata/${name}`, import.meta.url);

function checkGolden(name: string, value: unknown): void {
  const actual = JSON.stringify(value, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden(name), actual);
  assert.equal(
    actual,
    readFileSync(golden(name), 'utf8'),
    `golden ${name} differs (UPDATE_GOLDEN=1 rewrites)`,
  );
}

const push = createPushContext(bookinfoSnapshot(), 'v1');
const proxy = parseNode(productpageNode);

const cases: Array<[string, string, string[] | undefined]> = [
  ['bookinfo-cds.json', TypeUrl.cluster, undefined],
  [
    'bookinfo-eds.json',
    TypeUrl.endpoint,
    [
      'outbound|9080||reviews.default.svc.cluster.local',
      'outbound|9080|v2|reviews.default.svc.cluster.local',
      'outbound|3306||mysqldb.default.svc.cluster.local',
    ],
  ],
  ['bookinfo-lds.json', TypeUrl.listener, undefined],
  ['bookinfo-rds.json', TypeUrl.route, ['9080']],
];

for (const [file, typeUrl, names] of cases) {
  test(`sidecar ${file} matches golden and round-trips through protobuf`, () => {
    const resources = sidecarGenerator.generate(proxy, typeUrl, { push, names }) ?? [];
    assert.ok(resources.length > 0);
    checkGolden(
      file,
      resources.map((r) => r.resource),
    );
    for (const r of resources) {
      const any = encodeAny(r.resource);
      assert.equal(any.type_url, typeUrl);
      assert.deepEqual(decodeAny(any).name ?? decodeAny(any).cluster_name, r.name);
      // Metadata Structs survive the wire (protobufjs' well-known types are camelCase).
      const md = (decodeAny(any) as any).metadata;
      if (md) assert.deepEqual(md, r.resource.metadata);
    }
  });
}

test('cluster names follow Istio formats and defaults', () => {
  const names = (sidecarGenerator.generate(proxy, TypeUrl.cluster, { push }) ?? []).map((r) => r.name);
  for (const n of [
    'outbound|9080||reviews.default.svc.cluster.local',
    'outbound|9080|v1|reviews.default.svc.cluster.local',
    'outbound|3306||mysqldb.default.svc.cluster.local',
    'inbound|9080||',
    'BlackHoleCluster',
    'PassthroughCluster',
    'InboundPassthroughCluster',
  ])
    assert.ok(names.includes(n), n);
  const reviews = sidecarGenerator.generate(proxy, TypeUrl.cluster, {
    push,
    names: ['outbound|9080||reviews.default.svc.cluster.local'],
  })![0].resource;
  assert.equal(reviews.lb_policy, 'LEAST_REQUEST');
  assert.equal(reviews.type, 'EDS');
});

test('subset EDS keeps only matching pods; not-ready endpoints are UNHEALTHY', () => {
  const [v2] = sidecarGenerator.generate(proxy, TypeUrl.endpoint, {
    push,
    names: ['outbound|9080|v2|reviews.default.svc.cluster.local'],
  })!;
  const eps = (v2.resource.endpoints as any[]).flatMap((l) => l.lb_endpoints);
  assert.deepEqual(
    eps.map((e) => e.endpoint.address.socket_address.address),
    ['10.244.2.6'],
  );
  const [all] = sidecarGenerator.generate(proxy, TypeUrl.endpoint, {
    push,
    names: ['outbound|9080||reviews.default.svc.cluster.local'],
  })!;
  const status = (all.resource.endpoints as any[])
    .flatMap((l) => l.lb_endpoints)
    .map((e) => `${e.endpoint.address.socket_address.address}=${e.health_status}`);
  assert.deepEqual(status.sort(), ['10.244.1.7=HEALTHY', '10.244.2.6=HEALTHY', '10.244.2.7=UNHEALTHY']);
});
