import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { NetnsAgent } from './agent.js';
import { ClusterNetwork } from './cluster-network.js';
import { run } from './exec.js';
import { leaks } from './leaks.js';
import { hostLinkNames, podNetnsName, podVethName } from './names.js';
import { SKIP_UNLESS_ROOT, testClusterName } from './netns-fixtures.js';
import { teardownClusterNetwork } from './teardown.js';

const ipJson = async (args: string[]) => JSON.parse(await run(['ip', '-j', ...args]));
const hostForward = () => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
const lbRange = () => `172.31.${Math.floor(Math.random() * 250)}.0/24`;

describe('ClusterNetwork', { skip: SKIP_UNLESS_ROOT }, () => {
  const cluster = testClusterName('net');
  const forwardBefore = SKIP_UNLESS_ROOT ? '' : hostForward();
  const range = lbRange();
  let cn: ClusterNetwork;
  const agents: NetnsAgent[] = [];

  before(async () => {
    cn = await ClusterNetwork.create(cluster, {
      serviceAddresses: ['10.96.0.10'],
      loadBalancerRanges: [range],
    });
  });

  after(async () => {
    for (const a of agents) await a.close();
    await teardownClusterNetwork(cluster).catch((e) => console.error(e));
    assert.equal(hostForward(), forwardBefore);
  });

  it('creates the cluster namespace forwarding inside only, with no default route', async () => {
    assert.equal(cn.netns, `mizzen-${cluster}`);
    assert.equal(
      (await run(['ip', 'netns', 'exec', cn.netns, 'sysctl', '-n', 'net.ipv4.ip_forward'])).trim(),
      '1',
    );
    assert.equal(hostForward(), forwardBefore);
    assert.equal((await run(['ip', '-n', cn.netns, 'route', 'show', 'default'])).trim(), '');
    assert.equal((await run(['ip', '-n', cn.netns, '-6', 'route', 'show', 'default'])).trim(), '');
    const lo = await ipJson(['-n', cn.netns, 'link', 'show', 'lo']);
    assert.ok(lo[0].flags.includes('UP'));
  });

  it('holds the service addresses on mz-svc', async () => {
    await cn.addServiceAddress('10.96.0.1');
    const svc = await ipJson(['-n', cn.netns, 'addr', 'show', 'mz-svc']);
    const addrs = svc[0].addr_info
      .filter((a: { family: string }) => a.family === 'inet')
      .map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`)
      .sort();
    assert.deepEqual(addrs, ['10.96.0.1/32', '10.96.0.10/32']);
    // A process in the cluster namespace can listen on them.
    const agent = await NetnsAgent.start(cn.netns);
    agents.push(agent);
    const server = await agent.listen('10.96.0.10', 53);
    server.close();
    await cn.removeServiceAddress('10.96.0.1');
    assert.deepEqual(cn.serviceAddresses, ['10.96.0.10']);
  });

  it('links the host to the cluster with a /30 and routes only the LoadBalancer range', async () => {
    const link = cn.hostLink!;
    assert.deepEqual({ host: link.hostInterface, cluster: link.clusterInterface }, hostLinkNames(cluster));
    assert.match(link.hostIp, /^169\.254\.\d+\.1$/);
    const host = await ipJson(['addr', 'show', link.hostInterface]);
    assert.deepEqual(
      host[0].addr_info
        .filter((a: { family: string }) => a.family === 'inet')
        .map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`),
      [`${link.hostIp}/30`],
    );
    const hostRoutes = (await ipJson(['route', 'show', 'dev', link.hostInterface]))
      .map((r: { dst: string; gateway?: string }) => `${r.dst} ${r.gateway ?? ''}`.trim())
      .sort();
    assert.deepEqual(
      hostRoutes,
      [`${range} ${link.clusterIp}`, `${link.hostIp.replace(/\.1$/, '.0')}/30`].sort(),
    );
    const clusterRoutes = (await ipJson(['-n', cn.netns, 'route', 'show'])).map(
      (r: { dst: string; dev: string }) => `${r.dst} ${r.dev}`,
    );
    assert.deepEqual(clusterRoutes, [`${link.hostIp.replace(/\.1$/, '.0')}/30 ${link.clusterInterface}`]);
  });

  it('wires pods with a /32, a default route into the cluster namespace and their /etc files', async () => {
    const a = await cn.addPod({
      pod: 'uid-a',
      ip: '10.244.0.2',
      resolvConf: 'nameserver 10.96.0.10\nsearch default.svc.cluster.local\n',
      hosts: '10.244.0.2 pod-a\n',
    });
    const b = await cn.addPod({ pod: 'uid-b', ip: '10.244.0.3' });
    assert.equal(a.netns, podNetnsName(cluster, 'uid-a'));
    assert.equal(a.veth, podVethName(cluster, 'uid-a'));
    assert.equal(
      await run(['ip', 'netns', 'exec', a.netns, 'cat', '/etc/resolv.conf']),
      'nameserver 10.96.0.10\nsearch default.svc.cluster.local\n',
    );
    assert.equal(await run(['ip', 'netns', 'exec', a.netns, 'cat', '/etc/hosts']), '10.244.0.2 pod-a\n');
    const eth0 = await ipJson(['-n', a.netns, 'addr', 'show', 'eth0']);
    assert.deepEqual(
      eth0[0].addr_info
        .filter((x: { family: string }) => x.family === 'inet')
        .map((x: { local: string; prefixlen: number }) => `${x.local}/${x.prefixlen}`),
      ['10.244.0.2/32'],
    );
    const podRoutes = (await ipJson(['-n', a.netns, 'route', 'show']))
      .map((r: { dst: string; gateway?: string }) => `${r.dst} ${r.gateway ?? ''}`.trim())
      .sort();
    assert.deepEqual(podRoutes, ['169.254.1.1', 'default 169.254.1.1']);
    assert.equal(
      (
        await run(['ip', 'netns', 'exec', cn.netns, 'sysctl', '-n', `net.ipv4.conf.${a.veth}.proxy_arp`])
      ).trim(),
      '1',
    );
    assert.equal(
      (await run(['ip', 'netns', 'exec', a.netns, 'sysctl', '-n', 'net.ipv4.ip_forward'])).trim(),
      '0',
    );
    const routeToA = await ipJson(['-n', cn.netns, 'route', 'show', '10.244.0.2']);
    assert.equal(routeToA[0].dev, a.veth);
    // Pod to pod, through the cluster namespace.
    const agentA = await NetnsAgent.start(a.netns);
    const agentB = await NetnsAgent.start(b.netns);
    agents.push(agentA, agentB);
    const server = await agentB.listen('10.244.0.3', 8080);
    const peer = new Promise<string>((r) =>
      server.once('connection', (s) => {
        r(s.remoteAddress ?? '');
        s.end();
      }),
    );
    const socket = await agentA.connect('10.244.0.3', 8080, 2000);
    assert.equal(await peer, '10.244.0.2');
    socket.destroy();
    server.close();
  });

  it('refuses connections from pods to the host over the host link', async () => {
    const link = cn.hostLink!;
    const hostServer = net.createServer((s) => s.end('host'));
    await new Promise<void>((r) => hostServer.listen(0, link.hostIp, r));
    try {
      const agentA = agents.find((a) => a.netns === cn.pod('uid-a')!.netns)!;
      const err = await agentA
        .connect(link.hostIp, (hostServer.address() as net.AddressInfo).port, 2000)
        .catch((e) => e);
      assert.equal(err.code, 'ECONNREFUSED');
    } finally {
      hostServer.close();
    }
  });

  it('removes a pod with its veth, files and processes', async () => {
    const a = cn.pod('uid-a')!;
    const sleeper = spawn('ip', ['netns', 'exec', a.netns, 'sleep', '60'], { stdio: 'ignore' });
    const exited = new Promise((r) => sleeper.once('exit', r));
    await new Promise((r) => setTimeout(r, 100));
    await cn.removePod('uid-a');
    await exited;
    assert.equal(existsSync(`/run/netns/${a.netns}`), false);
    assert.equal(existsSync(`/etc/netns/${a.netns}`), false);
    const links = (await ipJson(['-n', cn.netns, 'link', 'show'])).map((l: { ifname: string }) => l.ifname);
    assert.ok(!links.includes(a.veth));
    assert.equal(cn.pod('uid-a'), undefined);
  });

  it('refuses duplicate pod IPs and unusable addresses', async () => {
    await assert.rejects(cn.addPod({ pod: 'uid-c', ip: '10.244.0.3' }), /already used by pod uid-b/);
    await assert.rejects(cn.addPod({ pod: 'uid-c', ip: '127.0.0.5' }), /not a usable unicast address/);
  });

  it('is found again by open() from its record', () => {
    const again = ClusterNetwork.open(cluster)!;
    assert.deepEqual(
      again.pods().map((p) => p.pod),
      ['uid-b'],
    );
    assert.deepEqual(again.hostLink, cn.hostLink);
  });

  it('lists what exists as leaks, and nothing once destroyed', async () => {
    const before = await leaks(cluster);
    const kinds = new Set(before.map((l) => l.kind));
    for (const k of ['record', 'netns', 'link', 'iptables-chain', 'mount', 'process'] as const)
      assert.ok(kinds.has(k), `expected a ${k} leak in ${JSON.stringify(before)}`);
    for (const a of agents.splice(0)) await a.close();
    await cn.destroy();
    assert.deepEqual(await leaks(cluster), []);
    assert.equal(hostForward(), forwardBefore);
  });
});
