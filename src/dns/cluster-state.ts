// The slice of cluster state DNS needs, kept from informer events: Services, EndpointSlices and
// Pods reduced to the fields that produce records, so a large cluster costs little memory.

export interface PortInfo {
  /** Empty for unnamed ports, which get no SRV record. */
  name: string;
  port: number;
  /** Lower case: "tcp", "udp", "sctp". */
  protocol: string;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  type: string;
  /** Allocated cluster IPs; empty for headless Services and ExternalName. */
  clusterIPs: string[];
  headless: boolean;
  externalName?: string;
  ports: PortInfo[];
  publishNotReadyAddresses: boolean;
}

export interface EndpointInfo {
  addresses: string[];
  hostname?: string;
  ready: boolean;
}

export interface SliceInfo {
  namespace: string;
  name: string;
  /** From the kubernetes.io/service-name label. */
  service: string;
  addressType: string;
  endpoints: EndpointInfo[];
  ports: PortInfo[];
}

export interface PodInfo {
  namespace: string;
  name: string;
  ips: string[];
  hostNetwork: boolean;
}

export type DnsKind = 'services' | 'endpointslices' | 'pods';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const parsePorts = (ports: unknown): PortInfo[] =>
  (Array.isArray(ports) ? ports : [])
    .filter((p) => p && typeof p.port === 'number')
    .map((p) => ({ name: str(p.name), port: p.port, protocol: (str(p.protocol) || 'TCP').toLowerCase() }));

export function parseService(obj: any): ServiceInfo {
  const spec = obj?.spec ?? {};
  const type = str(spec.type) || 'ClusterIP';
  const ips: string[] = Array.isArray(spec.clusterIPs)
    ? spec.clusterIPs.filter((ip: unknown) => typeof ip === 'string')
    : spec.clusterIP
      ? [spec.clusterIP]
      : [];
  const headless = type !== 'ExternalName' && ips[0] === 'None';
  return {
    namespace: str(obj?.metadata?.namespace),
    name: str(obj?.metadata?.name),
    type,
    clusterIPs: type === 'ExternalName' || headless ? [] : ips.filter((ip) => ip && ip !== 'None'),
    headless,
    externalName: type === 'ExternalName' && spec.externalName ? String(spec.externalName) : undefined,
    ports: parsePorts(spec.ports),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
  };
}

export function parseEndpointSlice(obj: any): SliceInfo {
  const endpoints: EndpointInfo[] = (Array.isArray(obj?.endpoints) ? obj.endpoints : []).map((e: any) => ({
    addresses: (Array.isArray(e?.addresses) ? e.addresses : []).filter((a: unknown) => typeof a === 'string'),
    hostname: e?.hostname ? String(e.hostname) : undefined,
    // Per the EndpointSlice API, an unknown (absent) ready condition counts as ready.
    ready: e?.conditions?.ready !== false,
  }));
  return {
    namespace: str(obj?.metadata?.namespace),
    name: str(obj?.metadata?.name),
    service: str(obj?.metadata?.labels?.['kubernetes.io/service-name']),
    addressType: str(obj?.addressType) || 'IPv4',
    endpoints,
    ports: parsePorts(obj?.ports),
  };
}

export function parsePod(obj: any): PodInfo {
  const ips: string[] = Array.isArray(obj?.status?.podIPs)
    ? obj.status.podIPs.map((p: any) => str(p?.ip)).filter(Boolean)
    : obj?.status?.podIP
      ? [String(obj.status.podIP)]
      : [];
  return {
    namespace: str(obj?.metadata?.namespace),
    name: str(obj?.metadata?.name),
    ips,
    hostNetwork: obj?.spec?.hostNetwork === true,
  };
}

const key = (obj: any): string => `${obj?.metadata?.namespace ?? ''}/${obj?.metadata?.name ?? ''}`;

/** Objects by namespace/name per kind; `version` grows on every change so readers can cache. */
export class ClusterState {
  readonly services = new Map<string, ServiceInfo>();
  readonly slices = new Map<string, SliceInfo>();
  readonly pods = new Map<string, PodInfo>();
  version = 0;

  private map(kind: DnsKind): Map<string, ServiceInfo | SliceInfo | PodInfo> {
    return kind === 'services' ? this.services : kind === 'endpointslices' ? this.slices : this.pods;
  }

  private parse(kind: DnsKind, obj: any): ServiceInfo | SliceInfo | PodInfo {
    return kind === 'services'
      ? parseService(obj)
      : kind === 'endpointslices'
        ? parseEndpointSlice(obj)
        : parsePod(obj);
  }

  replace(kind: DnsKind, objects: any[]): void {
    const m = this.map(kind);
    m.clear();
    for (const o of objects) m.set(key(o), this.parse(kind, o));
    this.version++;
  }

  apply(kind: DnsKind, obj: any): void {
    this.map(kind).set(key(obj), this.parse(kind, obj));
    this.version++;
  }

  remove(kind: DnsKind, obj: any): void {
    if (this.map(kind).delete(key(obj))) this.version++;
  }
}
