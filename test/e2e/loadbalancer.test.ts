// LoadBalancer Services end to end: the controllers give httpbin's LoadBalancer Service an address
// from the pool the host routes into the cluster network, the host's curl reaches httpbin there and
// on the node port at the node's InternalIP, addresses survive a controllers restart, and a deleted
// Service's address goes to the Service that waited for it. Traffic stays on this machine: the pool
// is routed only to the cluster's own namespace.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { leaks } from '../../src/netns/index.js';
import { processRunning, until } from './cluster-process.js';
import { mizzenBin, privateCluster, sharedDir } from './harness.js';

const SKIP = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';
const httpbinFile = join(sharedDir, 'upstream/istio/samples/httpbin/httpbin.yaml');

const { home, name, run, ok } = privateCluster('lb');
const kubectl = (...args: string[]) => ok('kubectl', args);
const apply = (obj: object) => ok('kubectl', ['apply', '-f', '-'], JSON.stringify(obj));
const getSvc = (svc: string): any => JSON.parse(kubectl('get', 'svc', svc, '-o', 'json'));
const ingressIP = (svc: string): string | undefined => getSvc(svc).status?.loadBalancer?.ingress?.[0]?.ip;

const lbService = (svcName: string, loadBalancerIP?: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: svcName, namespace: 'default' },
  spec: {
    type: 'LoadBalancer',
    selector: { app: 'httpbin' },
    ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
    ...(loadBalancerIP ? { loadBalancerIP } : {}),
  },
});

/** The host's curl; nothing but the cluster's own addresses is ever asked. */
const curl = (url: string) => run('curl', ['-sS', '--noproxy', '*', '-m', '5', url]);

/** httpbin's /get answer through `url`, once the pod listens. */
const httpbinGet = (url: string) =>
  until(
    `httpbin to answer ${url}`,
    () => {
      const r = curl(url);
      if (r.code !== 0) return undefined;
      try {
        return JSON.parse(r.stdout);
      } catch {
        return undefined;
      }
    },
    30_000,
    500,
  );

/** The controllers process of this cluster: started by its daemon with a kubeconfig under `home`. */
function controllersPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv.includes('controllers') && argv.some((a) => a.startsWith(home)) && processRunning(Number(entry)))
      return Number(entry);
  }
  return undefined;
}

let started = false;
let pool: { range: string; prefix: string };
before(() => {
  if (SKIP) return;
  started = true;
  ok(process.execPath, [mizzenBin, 'up', '--name', name, '--nodes', '2']);
});
after(async () => {
  if (started) run(process.execPath, [mizzenBin, 'down', '--name', name]);
  rmSync(home, { recursive: true, force: true });
  if (!SKIP) assert.deepEqual(await leaks(name), []);
});

test('the host routes a LoadBalancer range to the node address; it is the pool', { skip: SKIP }, () => {
  const nodes = JSON.parse(kubectl('get', 'nodes', '-o', 'json')).items;
  const nodeIPs = new Set<string>(
    nodes.map((n: any) => n.status.addresses.find((a: any) => a.type === 'InternalIP').address),
  );
  const routes: any[] = JSON.parse(ok('ip', ['-j', 'route', 'show']));
  const routed = routes.find((r) => nodeIPs.has(r.gateway) && /^172\.30\.\d+\.0\/24$/.test(r.dst));
  assert.ok(routed, `a 172.30.x.0/24 route via a node address: ${JSON.stringify(routes)}`);
  pool = { range: routed.dst, prefix: routed.dst.replace(/0\/24$/, '') };
  // The daemon tells the controllers this range; no ConfigMap is needed on the embedded cluster.
});

let lbIP: string;
test('httpbin behind a LoadBalancer Service answers the host at its address', { skip: SKIP }, async () => {
  kubectl('apply', '-f', httpbinFile);
  apply(lbService('httpbin-lb'));
  lbIP = await until('an address for httpbin-lb', () => ingressIP('httpbin-lb'), 30_000, 250);
  assert.equal(lbIP, `${pool.prefix}2`, 'the lowest address of the pool but .0 and .1');
  assert.deepEqual(getSvc('httpbin-lb').status.loadBalancer.ingress, [{ ip: lbIP, ipMode: 'VIP' }]);
  assert.match(
    kubectl('get', 'svc', 'httpbin-lb', '--no-headers'),
    new RegExp(`LoadBalancer\\s+\\S+\\s+${lbIP}\\s`),
  );
  const body = await httpbinGet(`http://${lbIP}:8000/get`);
  assert.equal(body.url, `http://${lbIP}:8000/get`);
  assert.deepEqual(body.args, {});
  const events = JSON.parse(kubectl('get', 'events', '-o', 'json')).items;
  assert.ok(
    events.some((e: any) => e.involvedObject.name === 'httpbin-lb' && e.reason === 'IPAllocated'),
    'an IPAllocated event',
  );
});

test('the node port answers at every node InternalIP', { skip: SKIP }, async () => {
  const nodePort = getSvc('httpbin-lb').spec.ports[0].nodePort;
  assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
  const nodes = JSON.parse(kubectl('get', 'nodes', '-o', 'json')).items;
  const ips = new Set<string>(
    nodes.map((n: any) => n.status.addresses.find((a: any) => a.type === 'InternalIP').address),
  );
  for (const ip of ips) {
    const body = await httpbinGet(`http://${ip}:${nodePort}/get`);
    assert.equal(body.url, `http://${ip}:${nodePort}/get`);
  }
  // A port no Service holds is refused at once, not forwarded anywhere.
  const free = nodePort === 32767 ? 32766 : nodePort + 1;
  assert.notEqual(curl(`http://${[...ips][0]}:${free}/get`).code, 0);
});

test('a requested address in use fails with an event until it is released', { skip: SKIP }, async () => {
  apply(lbService('httpbin-want', lbIP));
  const failed = await until(
    'an AllocationFailed event for httpbin-want',
    () =>
      JSON.parse(kubectl('get', 'events', '-o', 'json')).items.find(
        (e: any) => e.involvedObject.name === 'httpbin-want' && e.reason === 'AllocationFailed',
      ),
    30_000,
    250,
  );
  assert.equal(failed.type, 'Warning');
  assert.match(failed.message, /already used by "default\/httpbin-lb"/);
  assert.equal(ingressIP('httpbin-want'), undefined);

  // A restarted controllers process moves no address.
  const pid = await until('the controllers process', controllersPid, 10_000, 100);
  process.kill(pid, 'SIGKILL');
  await until(
    'the controllers to be restarted',
    () => {
      const p = controllersPid();
      return p !== undefined && p !== pid;
    },
    30_000,
    200,
  );
  apply(lbService('httpbin-other'));
  const other = await until('an address for httpbin-other', () => ingressIP('httpbin-other'), 30_000, 250);
  assert.equal(other, `${pool.prefix}3`);
  assert.equal(ingressIP('httpbin-lb'), lbIP);
  assert.equal(ingressIP('httpbin-want'), undefined);

  kubectl('delete', 'svc', 'httpbin-lb', '--wait=true');
  await until(
    'httpbin-want to get the released address',
    () => ingressIP('httpbin-want') === lbIP,
    30_000,
    250,
  );
  const body = await httpbinGet(`http://${lbIP}:8000/get`);
  assert.equal(body.url, `http://${lbIP}:8000/get`);
});

test('a Service that stops being a LoadBalancer gives its address back', { skip: SKIP }, async () => {
  // Upstream's API server drops the node ports itself on this change; Mizzen's wants them removed.
  const patch = [
    { op: 'replace', path: '/spec/type', value: 'ClusterIP' },
    { op: 'remove', path: '/spec/ports/0/nodePort' },
  ];
  kubectl('patch', 'svc', 'httpbin-other', '--type=json', '-p', JSON.stringify(patch));
  await until(
    'httpbin-other to show no address',
    () => ingressIP('httpbin-other') === undefined,
    30_000,
    250,
  );
  apply(lbService('httpbin-next'));
  assert.equal(
    await until('an address for httpbin-next', () => ingressIP('httpbin-next'), 30_000, 250),
    `${pool.prefix}3`,
  );
});

test('mizzen down removes the whole network', { skip: SKIP }, async () => {
  ok(process.execPath, [mizzenBin, 'down', '--name', name]);
  started = false;
  assert.deepEqual(await leaks(name), []);
  const routes: any[] = JSON.parse(ok('ip', ['-j', 'route', 'show']));
  assert.ok(!routes.some((r) => r.dst === pool.range), 'the pool route is gone');
});
