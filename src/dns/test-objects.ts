// Builders for the Kubernetes objects the DNS tests feed (shared by the unit and integration tests).

export interface PortSpec {
  name?: string;
  port: number;
  protocol?: string;
}

export const service = (
  ns: string,
  name: string,
  spec: {
    clusterIP?: string;
    clusterIPs?: string[];
    type?: string;
    externalName?: string;
    ports?: PortSpec[];
    publishNotReadyAddresses?: boolean;
  },
): any => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: ns, name },
  spec: {
    type: spec.type ?? 'ClusterIP',
    ...(spec.clusterIP ? { clusterIP: spec.clusterIP, clusterIPs: spec.clusterIPs ?? [spec.clusterIP] } : {}),
    ...(spec.externalName ? { externalName: spec.externalName } : {}),
    ports: (spec.ports ?? []).map((p) => ({ protocol: 'TCP', ...p })),
    ...(spec.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
  },
});

export interface EndpointSpec {
  ip: string | string[];
  hostname?: string;
  ready?: boolean;
}

export const endpointSlice = (
  ns: string,
  svc: string,
  endpoints: EndpointSpec[],
  ports: PortSpec[] = [],
  opts: { name?: string; addressType?: string } = {},
): any => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    namespace: ns,
    name: opts.name ?? `${svc}-abcde`,
    labels: { 'kubernetes.io/service-name': svc },
  },
  addressType: opts.addressType ?? 'IPv4',
  endpoints: endpoints.map((e) => ({
    addresses: Array.isArray(e.ip) ? e.ip : [e.ip],
    ...(e.hostname ? { hostname: e.hostname } : {}),
    ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }),
  })),
  ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
});

export const pod = (ns: string, name: string, ip: string, hostNetwork = false): any => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name },
  spec: { hostNetwork },
  status: { podIP: ip, podIPs: [{ ip }] },
});
