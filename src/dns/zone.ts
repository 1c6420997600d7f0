// Builds the record set of the cluster domain (and the reverse zones) from cluster state, following
// the Kubernetes DNS-based service discovery schema: Service A/AAAA, SRV for named ports, PTR,
// headless endpoints by hostname (or dashed IP), ExternalName as CNAME, and pod A records.
import type { ClusterState, EndpointInfo, PortInfo, ServiceInfo, SliceInfo } from './cluster-state.js';
import {
  canonicalIp,
  dashedIp,
  inZone,
  ipFamily,
  normalizeName,
  parseDashedIp,
  reverseName,
} from './names.js';
import { RRType, type Record, type SoaData } from './wire.js';

/** The schema version this server implements, published at dns-version.<zone>. */
export const SCHEMA_VERSION = '1.1.0';

export type PodMode = 'insecure' | 'verified' | 'disabled';

export interface ZoneOptions {
  /** e.g. "cluster.local". */
  domain: string;
  ttl: number;
  /** insecure: any well-formed <a-b-c-d>.<ns>.pod name answers (CoreDNS "pods insecure"); verified: only running pods' IPs. */
  pods: PodMode;
  /** Addresses of this server, published as ns.dns.<zone>. */
  nameservers?: string[];
  serial?: number;
}

export interface Lookup {
  exists: boolean;
  records: Record[];
}

export const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];

export class Zone {
  readonly domain: string;
  readonly ttl: number;
  readonly pods: PodMode;
  private readonly records = new Map<string, Record[]>();
  /** Every owner name plus all its ancestors up to the zone apex (empty non-terminals exist too). */
  private readonly names = new Set<string>();
  /** "name type data" of every record added, to drop duplicates. */
  private readonly seen = new Set<string>();
  /** Per namespace, the pod IPs (verified mode). */
  readonly podIps = new Map<string, Set<string>>();
  readonly namespaces = new Set<string>();
  readonly soa: SoaData;

  constructor(opts: ZoneOptions) {
    this.domain = normalizeName(opts.domain);
    this.ttl = opts.ttl;
    this.pods = opts.pods;
    this.soa = {
      mname: `ns.dns.${this.domain}`,
      rname: `hostmaster.${this.domain}`,
      serial: (opts.serial ?? Math.floor(Date.now() / 1000)) >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: opts.ttl,
    };
    for (const z of [this.domain, ...REVERSE_ZONES]) this.names.add(z);
  }

  /** The zone (cluster domain or a reverse zone) a normalised name belongs to, if any. */
  apexOf(name: string): string | undefined {
    return [this.domain, ...REVERSE_ZONES].find((z) => inZone(name, z));
  }

  soaRecord(apex: string): Record {
    return { name: apex, type: RRType.SOA, ttl: this.ttl, data: this.soa };
  }

  add(r: Record): void {
    const name = normalizeName(r.name);
    const key = `${name} ${r.type} ${typeof r.data === 'string' ? r.data : JSON.stringify(r.data)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const list = this.records.get(name);
    if (list) list.push({ ...r, name } as Record);
    else this.records.set(name, [{ ...r, name } as Record]);
    this.touch(name);
  }

  /** Makes a name (and its ancestors) exist even without records of its own: it answers NODATA, not NXDOMAIN. */
  touch(name: string): void {
    // Ancestors of a known name are known already, so the walk stops at the first one.
    for (let n = normalizeName(name); n && !this.names.has(n); n = n.slice(n.indexOf('.') + 1)) {
      this.names.add(n);
      if (!n.includes('.')) break;
    }
  }

  has(name: string): boolean {
    return this.records.has(name);
  }

  /** Records at a normalised name, with pod records synthesised on demand. */
  lookup(name: string): Lookup {
    const records = this.records.get(name) ?? [];
    const pod = this.podRecord(name);
    if (pod) return { exists: true, records: [...records, pod] };
    return { exists: this.names.has(name), records };
  }

  private podRecord(name: string): Record | undefined {
    if (this.pods === 'disabled') return undefined;
    const suffix = `.pod.${this.domain}`;
    if (!name.endsWith(suffix)) return undefined;
    const labels = name.slice(0, -suffix.length).split('.');
    if (labels.length !== 2) return undefined;
    const ip = parseDashedIp(labels[0]);
    if (!ip) return undefined;
    if (this.pods === 'verified' && !this.podIps.get(labels[1])?.has(ip)) return undefined;
    return { name, type: ipFamily(ip) === 6 ? RRType.AAAA : RRType.A, ttl: this.ttl, data: ip };
  }
}

const addressRecord = (name: string, ip: string, ttl: number): Record | undefined => {
  const fam = ipFamily(ip);
  if (!fam) return undefined;
  return { name, type: fam === 6 ? RRType.AAAA : RRType.A, ttl, data: canonicalIp(ip) };
};

/** DNS labels can hold at most 63 octets; anything longer (or empty) cannot be a name. */
const validLabel = (l: string): boolean => l.length > 0 && l.length <= 63;

interface ReadyEndpoint {
  ip: string;
  /** The endpoint's own label: its hostname, or its dashed IP. */
  label: string;
  ports: PortInfo[];
}

/** EndpointSlices by "namespace/service", so a build is linear in the number of objects. */
function slicesByService(state: ClusterState): Map<string, SliceInfo[]> {
  const out = new Map<string, SliceInfo[]>();
  for (const slice of state.slices.values()) {
    if (!slice.service) continue;
    const k = `${slice.namespace}/${slice.service}`;
    const list = out.get(k);
    if (list) list.push(slice);
    else out.set(k, [slice]);
  }
  return out;
}

function readyEndpoints(slices: SliceInfo[], svc: ServiceInfo): ReadyEndpoint[] {
  const out: ReadyEndpoint[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    for (const ep of slice.endpoints as EndpointInfo[]) {
      if (!ep.ready && !svc.publishNotReadyAddresses) continue;
      for (const raw of ep.addresses) {
        if (!ipFamily(raw)) continue;
        const ip = canonicalIp(raw);
        const hostname = ep.hostname?.toLowerCase();
        const label = hostname && validLabel(hostname) ? hostname : dashedIp(ip);
        const k = `${label}/${ip}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ ip, label, ports: slice.ports });
      }
    }
  }
  // A stable order (the server rotates answers itself).
  return out.sort((a, b) =>
    a.label < b.label ? -1 : a.label > b.label ? 1 : a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0,
  );
}

const srvName = (p: PortInfo, owner: string): string => `_${p.name.toLowerCase()}._${p.protocol}.${owner}`;

function addService(zone: Zone, slices: SliceInfo[], svc: ServiceInfo, ptrTaken: Set<string>): void {
  const ttl = zone.ttl;
  const owner = `${svc.name}.${svc.namespace}.svc.${zone.domain}`.toLowerCase();
  if (svc.externalName) {
    zone.add({ name: owner, type: RRType.CNAME, ttl, data: normalizeName(svc.externalName) });
    return;
  }
  if (!svc.headless) {
    for (const ip of svc.clusterIPs) {
      const rec = addressRecord(owner, ip, ttl);
      if (!rec) continue;
      zone.add(rec);
      zone.add({ name: reverseName(ip), type: RRType.PTR, ttl, data: owner });
      ptrTaken.add(canonicalIp(ip));
    }
    for (const p of svc.ports) {
      if (!p.name || !validLabel(`_${p.name}`)) continue;
      zone.add({
        name: srvName(p, owner),
        type: RRType.SRV,
        ttl,
        data: { priority: 0, weight: 100, port: p.port, target: owner },
      });
    }
    zone.touch(owner);
    return;
  }
  const eps = readyEndpoints(slices, svc);
  const weight = eps.length ? Math.max(1, Math.floor(100 / eps.length)) : 100;
  for (const ep of eps) {
    const epName = `${ep.label}.${owner}`;
    const a = addressRecord(owner, ep.ip, ttl);
    if (!a) continue;
    zone.add(a);
    zone.add({ ...a, name: epName });
    zone.add({ name: reverseName(ep.ip), type: RRType.PTR, ttl, data: epName });
    ptrTaken.add(ep.ip);
    for (const p of ep.ports) {
      if (!p.name || !validLabel(`_${p.name}`)) continue;
      zone.add({
        name: srvName(p, owner),
        type: RRType.SRV,
        ttl,
        data: { priority: 0, weight, port: p.port, target: epName },
      });
    }
  }
  // A headless Service without ready endpoints still exists: its name answers NODATA, not NXDOMAIN.
  zone.touch(owner);
}

export function buildZone(state: ClusterState, opts: ZoneOptions): Zone {
  const zone = new Zone(opts);
  const { ttl, domain } = zone;
  zone.add(zone.soaRecord(domain));
  zone.add({ name: domain, type: RRType.NS, ttl, data: `ns.dns.${domain}` });
  for (const ip of opts.nameservers ?? []) {
    const rec = addressRecord(`ns.dns.${domain}`, ip, ttl);
    if (rec) zone.add(rec);
  }
  zone.add({ name: `dns-version.${domain}`, type: RRType.TXT, ttl, data: [SCHEMA_VERSION] });
  for (const sub of ['svc', 'pod']) zone.touch(`${sub}.${domain}`);
  zone.add({ name: reverseName('127.0.0.1'), type: RRType.PTR, ttl, data: 'localhost' });
  zone.add({ name: reverseName('::1'), type: RRType.PTR, ttl, data: 'localhost' });

  const ptrTaken = new Set<string>();
  const slices = slicesByService(state);
  for (const svc of state.services.values()) {
    if (!svc.name || !svc.namespace) continue;
    zone.namespaces.add(svc.namespace);
    addService(zone, slices.get(`${svc.namespace}/${svc.name}`) ?? [], svc, ptrTaken);
  }
  for (const pod of state.pods.values()) {
    if (!pod.namespace) continue;
    zone.namespaces.add(pod.namespace);
    if (pod.hostNetwork || zone.pods === 'disabled') continue;
    for (const raw of pod.ips) {
      if (!ipFamily(raw)) continue;
      const ip = canonicalIp(raw);
      let set = zone.podIps.get(pod.namespace);
      if (!set) zone.podIps.set(pod.namespace, (set = new Set()));
      set.add(ip);
      // An endpoint's name (hostname.service...) is the better reverse name; pods fill the rest.
      if (!ptrTaken.has(ip))
        zone.add({
          name: reverseName(ip),
          type: RRType.PTR,
          ttl,
          data: `${dashedIp(ip)}.${pod.namespace}.pod.${domain}`,
        });
    }
  }
  for (const ns of zone.namespaces) {
    zone.touch(`${ns}.svc.${domain}`.toLowerCase());
    if (zone.pods !== 'disabled') zone.touch(`${ns}.pod.${domain}`.toLowerCase());
  }
  return zone;
}
