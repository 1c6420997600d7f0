// The embedded cluster's network: one namespace per cluster that routes between its pods' namespaces,
// holds the service addresses and the service NAT rules, and talks to the host over one veth that
// carries only LoadBalancer ranges. No namespace created here has a default route out of the machine:
// a pod's default route points at the cluster namespace, which has none.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import {
  checkLoadBalancerRange,
  checkUnicast,
  cidrContains,
  cidrOverlaps,
  formatIPv4,
  parseCidr,
  parseIPv4,
} from './addresses.js';
import { inNetns, ipBatch, run } from './exec.js';
import {
  assertForwardingUnchanged,
  checkPrerequisites,
  hostAddresses,
  hostRoutes,
  netnsInode,
  readForwarding,
} from './host.js';
import {
  GATEWAY_MAC,
  POD_GATEWAY,
  SERVICE_DUMMY,
  clusterNetnsName,
  etcNetnsDir,
  hostLinkNames,
  podNetnsName,
  podVethName,
  shortHash,
} from './names.js';
import {
  readPodRecords,
  readRecord,
  writePodRecords,
  writeRecord,
  type NetworkRecord,
  type PodRecord,
} from './record.js';
import { killProcesses, teardownClusterNetwork } from './teardown.js';

export interface ClusterNetworkOptions {
  /** Addresses (/32) on the `mz-svc` dummy in the cluster namespace, e.g. DNS 10.96.0.10, API 10.96.0.1. */
  serviceAddresses?: string[];
  /** Private ranges (at most /16 wide) the host routes to the cluster namespace, for LoadBalancer IPs. */
  loadBalancerRanges?: string[];
  /** The /30 of the host link, e.g. "169.254.77.0/30"; by default one derived from the cluster name. */
  hostLinkSubnet?: string;
}

export interface PodNetworkSpec {
  /** A stable key for the pod (its UID); the namespace and veth names are derived from it. */
  pod: string;
  ip: string;
  /** Shown at /etc/resolv.conf to commands run with `ip netns exec <pod netns>`. */
  resolvConf?: string;
  /** Shown at /etc/hosts likewise. */
  hosts?: string;
}

export type PodNetwork = Readonly<PodRecord>;

export interface HostLink {
  hostInterface: string;
  clusterInterface: string;
  hostIp: string;
  clusterIp: string;
  prefix: number;
}

// The host link's /30 is 169.254.<x>.0/30; x avoids 1 (the pods' gateway) and 169 (cloud metadata).
const HOST_LINK_THIRD_OCTETS = Array.from({ length: 253 }, (_, i) => i + 2).filter((x) => x !== 169);

export interface OpenOptions {
  /**
   * The process that wires pods through this handle (a node agent's name): its pods are recorded in
   * a file of its own, so several processes can wire pods of one cluster at the same time.
   */
  owner?: string;
}

export class ClusterNetwork {
  private constructor(
    private rec: NetworkRecord,
    private readonly owner?: string,
  ) {}

  get cluster(): string {
    return this.rec.cluster;
  }

  /** The cluster namespace, where routing, service NAT and service addresses live. */
  get netns(): string {
    return this.rec.netns;
  }

  get hostLink(): HostLink | undefined {
    const l = this.rec.hostLink;
    return (
      l && {
        hostInterface: l.host,
        clusterInterface: l.cluster,
        hostIp: l.hostIp,
        clusterIp: l.clusterIp,
        prefix: l.prefix,
      }
    );
  }

  get serviceAddresses(): string[] {
    return [...this.rec.serviceAddresses];
  }

  get loadBalancerRanges(): string[] {
    return [...this.rec.loadBalancerRanges];
  }

  pods(): PodNetwork[] {
    return Object.values(this.rec.pods);
  }

  pod(pod: string): PodNetwork | undefined {
    return this.rec.pods[pod];
  }

  /**
   * Creates the cluster namespace and the host link. Fails fast when a prerequisite is missing or
   * something of this cluster already exists; on any failure what was made is removed again.
   */
  static async create(cluster: string, opts: ClusterNetworkOptions = {}): Promise<ClusterNetwork> {
    const netns = clusterNetnsName(cluster);
    const problems = await checkPrerequisites();
    if (problems.length)
      throw new Error(`cannot create the network of cluster ${cluster}: ${problems.join('; ')}`);
    if (netnsInode(netns) !== undefined || readRecord(cluster))
      throw new Error(`the network of cluster ${cluster} already exists (${netns}); tear it down first`);
    const serviceAddresses = (opts.serviceAddresses ?? []).map(
      (a) => (checkUnicast(a, 'service address'), a),
    );
    const lbRanges = opts.loadBalancerRanges ?? [];
    lbRanges.forEach(checkLoadBalancerRange);

    const forwarding = readForwarding();
    const rec: NetworkRecord = {
      version: 1,
      cluster,
      netns,
      inode: 0,
      loadBalancerRanges: [],
      serviceAddresses: [],
      pods: {},
    };
    const net = new ClusterNetwork(rec);
    try {
      await run(['ip', 'netns', 'add', netns]);
      rec.inode = netnsInode(netns)!;
      writeRecord(rec);
      await createServiceDevice(netns);
      await ipBatch(
        [
          'link set lo up',
          `link set ${SERVICE_DUMMY} up`,
          ...serviceAddresses.map((a) => `address add ${a}/32 dev ${SERVICE_DUMMY}`),
        ],
        netns,
      );
      rec.serviceAddresses = serviceAddresses;
      await net.createHostLink(opts.hostLinkSubnet, lbRanges);
      // Only inside the cluster namespace: it routes between pods. Interfaces made later (the pods'
      // veths) inherit proxy_arp and send_redirects from "default". Redirects are off because a
      // hairpin connection leaves by the veth it came in on, and a redirect would also spend the
      // per-source ICMP budget that tells a pod at once that an address is unreachable.
      await inNetns(netns, [
        'sysctl',
        '-q',
        '-w',
        'net.ipv4.ip_forward=1',
        'net.ipv4.conf.default.proxy_arp=1',
        'net.ipv4.conf.all.send_redirects=0',
        'net.ipv4.conf.default.send_redirects=0',
      ]);
      await net.guardHostLink();
      writeRecord(rec);
      assertForwardingUnchanged(forwarding, `creation of cluster network ${cluster}`);
    } catch (err) {
      await teardownClusterNetwork(cluster).catch(() => {});
      throw err;
    }
    return net;
  }

  /** The network of a cluster created earlier (by this or another process), from its record. */
  static open(cluster: string, opts: OpenOptions = {}): ClusterNetwork | undefined {
    const rec = readRecord(cluster);
    if (!rec || netnsInode(rec.netns) !== rec.inode) return undefined;
    if (opts.owner) rec.pods = readPodRecords(cluster, opts.owner);
    return new ClusterNetwork(rec, opts.owner);
  }

  private savePods(): void {
    if (this.owner) writePodRecords(this.cluster, this.owner, this.rec.pods);
    else writeRecord(this.rec);
  }

  private async createHostLink(subnet: string | undefined, lbRanges: string[]): Promise<void> {
    const names = hostLinkNames(this.cluster);
    const [addresses, routes] = await Promise.all([hostAddresses(), hostRoutes()]);
    const taken = [
      ...addresses.map((a) => ({
        network: parseIPv4(a.local),
        prefix: 32,
        what: `address ${a.local} on ${a.ifname}`,
      })),
      ...routes
        .filter((r) => r.dst !== 'default')
        .map((r) => {
          const [ip, len] = r.dst.split('/');
          const prefix = len === undefined ? 32 : Number(len);
          return { ...parseCidrLoose(ip!, prefix), what: `route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}` };
        }),
    ];
    if (addresses.some((a) => a.ifname === names.host) || routes.some((r) => r.dev === names.host))
      throw new Error(`host link ${names.host} already exists (another cluster with the same name hash?)`);
    for (const range of lbRanges) {
      const c = parseCidr(range);
      const clash = taken.find((t) => cidrOverlaps(c, t));
      if (clash) throw new Error(`LoadBalancer range ${range} overlaps the host's ${clash.what}`);
    }
    const link = subnet ? parseCidr(subnet) : undefined;
    if (link && (link.prefix !== 30 || !cidrContains(parseCidr('169.254.0.0/16'), link.network)))
      throw new Error(`host link subnet ${subnet} must be a /30 inside 169.254.0.0/16`);
    // Wider routes (a link-local /16 on a real interface) are fine: our /30 is more specific.
    const conflicts = (c: { network: number; prefix: number }) =>
      taken.some((t) => t.prefix >= 24 && cidrOverlaps(c, t));
    let chosen = link;
    if (chosen && conflicts(chosen))
      throw new Error(`host link subnet ${subnet} is already used on the host`);
    if (!chosen) {
      const start = parseInt(shortHash(`link:${this.cluster}`, 4), 16) % HOST_LINK_THIRD_OCTETS.length;
      for (let i = 0; i < HOST_LINK_THIRD_OCTETS.length && !chosen; i++) {
        const x = HOST_LINK_THIRD_OCTETS[(start + i) % HOST_LINK_THIRD_OCTETS.length]!;
        const c = parseCidr(`169.254.${x}.0/30`);
        if (!conflicts(c)) chosen = c;
      }
      if (!chosen) throw new Error('no free 169.254.x.0/30 on the host for the cluster link');
    }
    const hostIp = formatIPv4(chosen.network + 1);
    const clusterIp = formatIPv4(chosen.network + 2);
    this.rec.hostLink = { host: names.host, cluster: names.cluster, hostIp, clusterIp, prefix: 30 };
    writeRecord(this.rec);
    // Created from the host with the peer placed straight into the cluster namespace.
    await run([
      'ip',
      'link',
      'add',
      names.host,
      'type',
      'veth',
      'peer',
      'name',
      names.cluster,
      'netns',
      this.netns,
    ]);
    await ipBatch(
      [`address add ${clusterIp}/30 dev ${names.cluster}`, `link set ${names.cluster} up`],
      this.netns,
    );
    await ipBatch([`address add ${hostIp}/30 dev ${names.host}`, `link set ${names.host} up`]);
    for (const range of lbRanges) {
      await run(['ip', 'route', 'add', range, 'via', clusterIp, 'dev', names.host]);
      this.rec.loadBalancerRanges.push(range);
    }
  }

  /**
   * Pods may answer connections that came over the host link but never open one towards the host:
   * the host's link address would otherwise expose every host service listening on all interfaces.
   */
  private async guardHostLink(): Promise<void> {
    const link = this.rec.hostLink;
    if (!link) return;
    const rules = [
      '*filter',
      ':MIZZEN-HOSTLINK - [0:0]',
      '-A MIZZEN-HOSTLINK -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A MIZZEN-HOSTLINK -p tcp -j REJECT --reject-with tcp-reset',
      '-A MIZZEN-HOSTLINK -j REJECT --reject-with icmp-admin-prohibited',
      `-A FORWARD -o ${link.cluster} -j MIZZEN-HOSTLINK`,
      'COMMIT',
      '',
    ].join('\n');
    await inNetns(this.netns, ['iptables-restore', '--noflush'], { input: rules });
  }

  /** Creates the pod's namespace wired to the cluster namespace with a /32 and a default route into it. */
  async addPod(spec: PodNetworkSpec): Promise<PodNetwork> {
    checkUnicast(spec.ip, 'pod IP');
    const existing = this.rec.pods[spec.pod];
    if (existing) {
      if (existing.ip === spec.ip && netnsInode(existing.netns) === existing.inode) return existing;
      throw new Error(`pod ${spec.pod} already has a network (${existing.netns}, ${existing.ip})`);
    }
    const clash = Object.values(this.rec.pods).find((p) => p.ip === spec.ip);
    if (clash) throw new Error(`pod IP ${spec.ip} is already used by pod ${clash.pod}`);
    if (this.rec.serviceAddresses.includes(spec.ip))
      throw new Error(`pod IP ${spec.ip} is a service address`);

    const netns = podNetnsName(this.cluster, spec.pod);
    const veth = podVethName(this.cluster, spec.pod);
    if (netnsInode(netns) !== undefined) throw new Error(`network namespace ${netns} already exists`);
    const rec: PodRecord = { pod: spec.pod, netns, inode: 0, ip: spec.ip, veth };
    this.rec.pods[spec.pod] = rec;
    try {
      this.writeEtc(netns, spec);
      await run(['ip', 'netns', 'add', netns]);
      rec.inode = netnsInode(netns)!;
      this.savePods();
      await run([
        'ip',
        '-n',
        this.netns,
        'link',
        'add',
        veth,
        'address',
        GATEWAY_MAC,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        netns,
      ]);
      await ipBatch([`link set ${veth} up`, `route add ${spec.ip}/32 dev ${veth}`], this.netns);
      await ipBatch(
        [
          'link set lo up',
          'link set eth0 up',
          `address add ${spec.ip}/32 dev eth0`,
          `route add ${POD_GATEWAY} dev eth0 scope link`,
          `route add default via ${POD_GATEWAY} dev eth0`,
          // The gateway answers ARP through proxy_arp only when it has a route for the address;
          // a permanent entry makes the pod independent of that.
          `neigh replace ${POD_GATEWAY} lladdr ${GATEWAY_MAC} dev eth0 nud permanent`,
        ],
        netns,
      );
    } catch (err) {
      await this.removePod(spec.pod).catch(() => {});
      throw err;
    }
    return rec;
  }

  /** Removes the pod's namespace, its veth and /etc/netns files; processes still inside are killed. */
  async removePod(pod: string): Promise<void> {
    const rec = this.rec.pods[pod];
    if (!rec) return;
    // Only while mounted under its name is the recorded inode surely still this pod's namespace.
    if (netnsInode(rec.netns) === rec.inode) await killProcesses(new Set([rec.inode]));
    // Deleting the cluster end takes the pod end with it, even while something holds the namespace.
    await run(['ip', '-n', this.netns, 'link', 'del', rec.veth]).catch(ignoreMissing);
    if (netnsInode(rec.netns) !== undefined) await run(['ip', 'netns', 'del', rec.netns]);
    rmSync(etcNetnsDir(rec.netns), { recursive: true, force: true });
    delete this.rec.pods[pod];
    this.savePods();
  }

  async addServiceAddress(ip: string): Promise<void> {
    this.assertNetworkOwner();
    checkUnicast(ip, 'service address');
    if (this.rec.serviceAddresses.includes(ip)) return;
    await run(['ip', '-n', this.netns, 'address', 'add', `${ip}/32`, 'dev', SERVICE_DUMMY]);
    this.rec.serviceAddresses.push(ip);
    writeRecord(this.rec);
  }

  async removeServiceAddress(ip: string): Promise<void> {
    this.assertNetworkOwner();
    if (!this.rec.serviceAddresses.includes(ip)) return;
    await run(['ip', '-n', this.netns, 'address', 'del', `${ip}/32`, 'dev', SERVICE_DUMMY]).catch(
      ignoreMissing,
    );
    this.rec.serviceAddresses = this.rec.serviceAddresses.filter((a) => a !== ip);
    writeRecord(this.rec);
  }

  /** Removes everything of this cluster's network; throws listing whatever could not be removed. */
  async destroy(): Promise<void> {
    await teardownClusterNetwork(this.cluster);
  }

  private assertNetworkOwner(): void {
    if (this.owner)
      throw new Error(`a pod owner (${this.owner}) cannot change the cluster's service addresses`);
  }

  private writeEtc(netns: string, spec: PodNetworkSpec): void {
    if (spec.resolvConf === undefined && spec.hosts === undefined) return;
    const dir = etcNetnsDir(netns);
    mkdirSync(dir, { recursive: true });
    if (spec.resolvConf !== undefined) writeFileSync(`${dir}/resolv.conf`, spec.resolvConf);
    if (spec.hosts !== undefined) writeFileSync(`${dir}/hosts`, spec.hosts);
  }
}

/**
 * A dummy interface where the kernel has the module; otherwise a bridge without ports, which holds
 * local addresses just the same (some minimal kernels are built without CONFIG_DUMMY).
 */
async function createServiceDevice(netns: string): Promise<void> {
  try {
    await run(['ip', '-n', netns, 'link', 'add', SERVICE_DUMMY, 'type', 'dummy']);
  } catch (err) {
    if (!/Unknown device type|Operation not supported/i.test((err as Error).message)) throw err;
    await run(['ip', '-n', netns, 'link', 'add', SERVICE_DUMMY, 'type', 'bridge']);
  }
}

function parseCidrLoose(ip: string, prefix: number): { network: number; prefix: number } {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (parseIPv4(ip) & mask) >>> 0, prefix };
}

function ignoreMissing(err: Error): void {
  if (!/Cannot find device|does not exist|Cannot assign requested address|No such/i.test(err.message))
    throw err;
}
