// The cluster network end to end: two pods in their own namespaces, routed through the cluster
// namespace, reached through a Service's ClusterIP and LoadBalancer IP with the real curl. Nothing
// here sends a packet anywhere but to loopback and the namespaces the test creates.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  ClusterNetwork,
  applyServiceRules,
  leaks,
  serviceRules,
  teardownClusterNetwork,
  type EndpointSliceLike,
  type ServiceLike,
} from '../../src/netns/index.js';

const isRoot = process.getuid?.() === 0;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(cmd: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(cmd[0]!, cmd.slice(1), { timeout: 10_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function curlIn(netns: string | undefined, url: string): Promise<string> {
  const curl = ['curl', '-sS', '--noproxy', '*', '--max-time', '3', url];
  const r = await sh(netns ? ['ip', 'netns', 'exec', netns, ...curl] : curl);
  if (r.code !== 0) throw new Error(`curl ${url}${netns ? ` in ${netns}` : ''} failed: ${r.stderr}`);
  return r.stdout;
}

/** An HTTP server in a pod namespace answering "<name> <client address>". */
function podServer(netns: string, name: string): Promise<ChildProcess> {
  const script =
    `require('http').createServer((q,s)=>s.end(${JSON.stringify(name)}+' '+q.socket.remoteAddress))` +
    `.listen(8080,'0.0.0.0',()=>console.log('up'))`;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 5000);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}`));
    });
  });
}

describe('cluster network with services', { skip: isRoot ? false : 'needs root' }, () => {
  const cluster = `e2e-svc-${randomBytes(3).toString('hex')}`;
  const n = 1 + Math.floor(Math.random() * 250);
  const lbRange = `172.30.${n}.0/24`;
  const lbIp = `172.30.${n}.10`;
  const hostForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
  const servers: ChildProcess[] = [];
  let cn: ClusterNetwork;
  let podA: string;
  let podB: string;

  const web: ServiceLike = {
    metadata: { namespace: 'default', name: 'web' },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.20',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    },
    status: { loadBalancer: { ingress: [{ ip: lbIp }] } },
  };
  const self: ServiceLike = {
    metadata: { namespace: 'default', name: 'only-a' },
    spec: { clusterIP: '10.96.0.21', ports: [{ port: 80 }] },
  };
  const slice = (svc: string, ips: string[], name?: string): EndpointSliceLike => ({
    metadata: { namespace: 'default', name: `${svc}-x`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ ...(name ? { name } : {}), port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  });

  before(async () => {
    cn = await ClusterNetwork.create(cluster, {
      serviceAddresses: ['10.96.0.10'],
      loadBalancerRanges: [lbRange],
    });
    podA = (await cn.addPod({ pod: 'a', ip: '10.244.0.2' })).netns;
    podB = (await cn.addPod({ pod: 'b', ip: '10.244.0.3' })).netns;
    servers.push(await podServer(podA, 'backend-a'), await podServer(podB, 'backend-b'));
    await applyServiceRules(
      cn.netns,
      serviceRules(
        [web, self],
        [slice('web', ['10.244.0.2', '10.244.0.3'], 'http'), slice('only-a', ['10.244.0.2'])],
      ),
    );
  });

  after(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await teardownClusterNetwork(cluster);
    assert.deepEqual(await leaks(cluster), []);
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), hostForward);
  });

  it('balances the ClusterIP over both pods, from pod A', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++)
      seen.add((await curlIn(podA, 'http://10.96.0.20:80/')).split(' ')[0]!);
    assert.deepEqual([...seen].sort(), ['backend-a', 'backend-b']);
  });

  it('routes pod A to pod B directly, keeping the source address', async () => {
    assert.equal(await curlIn(podA, 'http://10.244.0.3:8080/'), 'backend-b 10.244.0.2');
  });

  it('lets pod A reach itself through its own service (hairpin)', async () => {
    assert.equal(await curlIn(podA, 'http://10.96.0.21/'), 'backend-a 169.254.1.1');
    // From another pod the same service keeps the client's address.
    assert.equal(await curlIn(podB, 'http://10.96.0.21/'), 'backend-a 10.244.0.3');
  });

  it('serves the LoadBalancer IP to the host and to pods', async () => {
    const fromHost = await curlIn(undefined, `http://${lbIp}/`);
    assert.match(fromHost, new RegExp(`^backend-[ab] ${cn.hostLink!.hostIp.replace(/\./g, '\\.')}$`));
    assert.match(await curlIn(podB, `http://${lbIp}/`), /^backend-[ab] /);
  });

  it('replaces the rules atomically when endpoints change', async () => {
    await applyServiceRules(cn.netns, serviceRules([web], [slice('web', ['10.244.0.3'], 'http')]));
    for (let i = 0; i < 5; i++)
      assert.equal((await curlIn(podA, 'http://10.96.0.20/')).split(' ')[0], 'backend-b');
    const save = (await sh(['ip', 'netns', 'exec', cn.netns, 'iptables-save', '-t', 'nat'])).stdout;
    assert.equal(save.split('\n').filter((l) => l.startsWith(':MIZZEN-SEP-')).length, 1);
    assert.equal(save.split('\n').filter((l) => /^-A PREROUTING .*-j MIZZEN-SERVICES$/.test(l)).length, 1);
    // The service without rules now is unreachable at once instead of hanging.
    const r = await sh([
      'ip',
      'netns',
      'exec',
      podA,
      'curl',
      '-sS',
      '--noproxy',
      '*',
      '--max-time',
      '3',
      'http://10.96.0.21/',
    ]);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stderr, /timed out/i);
  });

  it('has no route out of the machine from any of its namespaces', async () => {
    // The cluster namespace routes every pod's traffic; it has no default route, so a packet from a
    // pod towards any outside address has nowhere to go. `ip route get` only asks the kernel.
    const clusterRoutes = (await sh(['ip', '-n', cn.netns, 'route', 'show', 'table', 'all'])).stdout;
    assert.doesNotMatch(clusterRoutes, /^default/m);
    for (const dst of ['8.8.8.8', '1.1.1.1', '192.168.1.1']) {
      const plain = await sh(['ip', '-n', cn.netns, 'route', 'get', dst]);
      assert.notEqual(plain.code, 0, `cluster namespace routes ${dst}: ${plain.stdout}`);
      assert.match(plain.stderr, /Network is unreachable/);
      const vethA = cn.pod('a')!.veth;
      const forwarded = await sh([
        'ip',
        '-n',
        cn.netns,
        'route',
        'get',
        dst,
        'from',
        '10.244.0.2',
        'iif',
        vethA,
      ]);
      assert.notEqual(
        forwarded.code,
        0,
        `a packet from pod A to ${dst} would be forwarded: ${forwarded.stdout}`,
      );
      // A pod's only way anywhere is its gateway, which is the cluster namespace.
      const fromPod = await sh(['ip', '-n', podA, 'route', 'get', dst]);
      assert.match(fromPod.stdout, /via 169\.254\.1\.1 dev eth0/);
    }
    const v6 = await sh(['ip', '-n', cn.netns, '-6', 'route', 'get', '2001:4860:4860::8888']);
    assert.notEqual(v6.code, 0);
    for (const ns of [podA, podB]) {
      const routes = (await sh(['ip', '-n', ns, 'route', 'show', 'table', 'all'])).stdout;
      assert.deepEqual(
        routes.split('\n').filter((l) => l.startsWith('default')),
        ['default via 169.254.1.1 dev eth0 '],
      );
      assert.notEqual((await sh(['ip', '-n', ns, '-6', 'route', 'get', '2001:4860:4860::8888'])).code, 0);
    }
    // The host routes only the LoadBalancer range into the cluster.
    const viaLink = (await sh(['ip', 'route', 'show', 'dev', cn.hostLink!.hostInterface])).stdout;
    assert.deepEqual(
      viaLink
        .trim()
        .split('\n')
        .filter((l) => l.includes(' via '))
        .map((l) => l.split(' ')[0]),
      [lbRange],
    );
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), hostForward);
  });
});
