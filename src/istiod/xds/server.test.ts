import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { adsServiceDefinition, type DeltaDiscoveryResponse, type DiscoveryResponse } from './ads-service.js';
import { TypeUrl } from './proto.js';
import { XdsServer } from './server.js';
import { bookinfoSnapshot, productpageNode } from './testdata-bookinfo.js';

const node = {
  id: productpageNode.id,
  metadata: { fields: { NAMESPACE: { stringValue: 'default' }, CLUSTER_ID: { stringValue: 'Kubernetes' } } },
};

const server = new XdsServer({ debounceMs: 10, debounceMaxMs: 50 });
server.update(bookinfoSnapshot());
server.flush();
const port = await server.listen(0);
const Client = grpc.makeGenericClientConstructor(adsServiceDefinition(), 'ADS');
const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as any;
after(async () => {
  client.close();
  await server.close();
});

/** Queues responses so the test can await them one by one. */
function queue<T>(stream: grpc.ClientDuplexStream<unknown, T>) {
  const items: T[] = [];
  const waiters: Array<(t: T) => void> = [];
  stream.on('data', (d: T) => (waiters.length ? waiters.shift()!(d) : items.push(d)));
  stream.on('error', () => {});
  return () => new Promise<T>((resolve) => (items.length ? resolve(items.shift()!) : waiters.push(resolve)));
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check());
}

const cdsStatus = (id: string) =>
  server
    .connections()
    .find((c) => c.connectionId.startsWith(id))
    ?.types.find((t) => t.type === 'CDS');

test('SotW: ACK makes SYNCED; a NACK keeps the last good config and reports STALE with the error', async () => {
  const stream = client.StreamAggregatedResources();
  const next = queue<DiscoveryResponse>(stream);
  stream.write({ node, type_url: TypeUrl.cluster, resource_names: [] });
  const first = await next();
  assert.equal(first.type_url, TypeUrl.cluster);
  assert.ok(first.resources.length >= 8);
  await until(() => cdsStatus(node.id)?.status === 'STALE');
  stream.write({ type_url: TypeUrl.cluster, version_info: first.version_info, response_nonce: first.nonce });
  await until(() => cdsStatus(node.id)?.status === 'SYNCED');

  const snap = bookinfoSnapshot();
  snap.services = snap.services.filter((s) => s.name !== 'mysqldb');
  server.update(snap);
  const second = await next();
  assert.notEqual(second.nonce, first.nonce);
  assert.equal(second.resources.length, first.resources.length - 1);
  await until(() => cdsStatus(node.id)?.status === 'STALE');
  stream.write({
    type_url: TypeUrl.cluster,
    version_info: first.version_info,
    response_nonce: second.nonce,
    error_detail: { code: 3, message: 'rejected for test' },
  });
  await until(() => cdsStatus(node.id)?.error === 'rejected for test');
  const st = cdsStatus(node.id)!;
  assert.equal(st.status, 'STALE');
  assert.equal(st.versionAcked, first.version_info);
  const conn = server.connections().find((c) => c.proxyId === 'productpage-v1-5f7b9c-abcde.default')!;
  assert.equal(conn.proxy.namespace, 'default');
  assert.ok(conn.configDump[TypeUrl.cluster].length > 0);
  stream.end();
  await until(() => server.connections().length === 0);
});

test('SotW: named EDS request returns exactly those clusters', async () => {
  const stream = client.StreamAggregatedResources();
  const next = queue<DiscoveryResponse>(stream);
  const name = 'outbound|9080||ratings.default.svc.cluster.local';
  stream.write({ node, type_url: TypeUrl.endpoint, resource_names: [name] });
  const res = await next();
  assert.equal(res.resources.length, 1);
  stream.end();
  await until(() => server.connections().length === 0);
});

test('SotW: missing node is rejected with InvalidArgument', async () => {
  const stream = client.StreamAggregatedResources();
  const err = await new Promise<grpc.ServiceError>((resolve) => {
    stream.on('error', resolve);
    stream.on('data', () => {});
    stream.write({ type_url: TypeUrl.cluster, resource_names: [] });
  });
  assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
});

test('delta: subscribe, unsubscribe and removal of a deleted service', async () => {
  server.update(bookinfoSnapshot());
  server.flush();
  const stream = client.DeltaAggregatedResources();
  const next = queue<DeltaDiscoveryResponse>(stream);
  const ratings = 'outbound|9080||ratings.default.svc.cluster.local';
  const details = 'outbound|9080||details.default.svc.cluster.local';
  stream.write({ node, type_url: TypeUrl.endpoint, resource_names_subscribe: [ratings] });
  const r1 = await next();
  assert.deepEqual(
    r1.resources.map((r) => r.name),
    [ratings],
  );
  stream.write({ type_url: TypeUrl.endpoint, response_nonce: r1.nonce, resource_names_subscribe: [details] });
  const r2 = await next();
  assert.deepEqual(
    r2.resources.map((r) => r.name),
    [details],
  );
  stream.write({
    type_url: TypeUrl.endpoint,
    response_nonce: r2.nonce,
    resource_names_unsubscribe: [ratings],
  });
  await until(() => {
    const t = server.connections()[0]?.types.find((x) => x.type === 'EDS');
    return t?.status === 'SYNCED' && JSON.stringify(t.subscribed) === JSON.stringify([details]);
  });
  const snap = bookinfoSnapshot();
  snap.services = snap.services.filter((s) => s.name !== 'details');
  server.update(snap);
  const r3 = await next();
  assert.deepEqual(r3.removed_resources, [details]);
  assert.equal(r3.resources.length, 0);

  const cds = client.DeltaAggregatedResources();
  const nextCds = queue<DeltaDiscoveryResponse>(cds);
  cds.write({ node, type_url: TypeUrl.cluster, initial_resource_versions: {} });
  const c1 = await nextCds();
  assert.ok(c1.resources.some((r) => r.name === 'PassthroughCluster'));
  stream.end();
  cds.end();
  await until(() => server.connections().length === 0);
});
