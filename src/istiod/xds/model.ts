// The mesh state the translation reads: a plain snapshot the lead builds from Services,
// EndpointSlices, Pods, Namespaces and DestinationRules, so translation stays pure.

export interface ServicePort {
  name?: string;
  port: number;
  /** Number or container-port name; defaults to port. */
  targetPort?: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
}

export interface MeshService {
  name: string;
  namespace: string;
  /** 'None' (or absent) for headless services. */
  clusterIP?: string;
  ports: ServicePort[];
  labels?: Record<string, string>;
}

/** One ready or not-ready address of a Service, as an EndpointSlice lists it, plus its pod's facts. */
export interface MeshEndpoint {
  service: string;
  namespace: string;
  ip: string;
  /** Resolved endpoint ports; `name` is the service port's name. */
  ports: Array<{ name?: string; port: number }>;
  ready: boolean;
  labels?: Record<string, string>;
  serviceAccount?: string;
  podName?: string;
  nodeName?: string;
  locality?: { region?: string; zone?: string; subZone?: string };
}

export interface DestinationRuleSubset {
  name: string;
  labels?: Record<string, string>;
}

export interface DestinationRule {
  name: string;
  namespace: string;
  /** Short or fully-qualified host, resolved against the rule's namespace. */
  host: string;
  subsets?: DestinationRuleSubset[];
  trafficPolicy?: { loadBalancer?: { simple?: 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM' | 'PASSTHROUGH' } };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

export interface MeshConfig {
  /** Namespaces whose services the mesh sees; empty or absent selects all. */
  discoverySelectors?: LabelSelector[];
  outboundTrafficPolicy?: { mode?: 'ALLOW_ANY' | 'REGISTRY_ONLY' };
  /** Seconds; mesh default 10. */
  connectTimeoutSeconds?: number;
  domainSuffix?: string;
}

export interface MeshSnapshot {
  services: MeshService[];
  endpoints: MeshEndpoint[];
  destinationRules?: DestinationRule[];
  /** Needed only when discoverySelectors are set. */
  namespaces?: Array<{ name: string; labels?: Record<string, string> }>;
  meshConfig?: MeshConfig;
  /** This cluster's id (istiod's CLUSTER_ID); default Kubernetes. */
  clusterId?: string;
}

/** What the first request of a stream says about the proxy. */
export interface Proxy {
  /** node.id as sent. */
  nodeId: string;
  /** sidecar | router (or whatever the first field holds). */
  type: string;
  ipAddresses: string[];
  /** `<pod>.<ns>` as istioctl prints it. */
  id: string;
  podName: string;
  namespace: string;
  dnsDomain: string;
  clusterId: string;
  istioVersion?: string;
  labels: Record<string, string>;
  serviceAccount?: string;
  /** Metadata GENERATOR, e.g. "grpc" for proxyless gRPC clients. */
  generator?: string;
  metadata: Record<string, unknown>;
  locality?: { region?: string; zone?: string; subZone?: string };
}

export type Protocol = 'HTTP' | 'HTTP2' | 'GRPC' | 'TCP' | 'TLS' | 'UDP' | 'AUTO';

/** Istio's protocol selection: appProtocol first, then the port-name prefix, else auto-detect. */
export function portProtocol(port: ServicePort): Protocol {
  if (port.protocol === 'UDP') return 'UDP';
  const fromName = (raw: string | undefined): Protocol | undefined => {
    if (!raw) return undefined;
    const p = raw.toLowerCase().split('-')[0];
    switch (p) {
      case 'http':
      case 'http/1.1':
        return 'HTTP';
      case 'http2':
      case 'h2c':
      case 'kubernetes.io/h2c':
        return 'HTTP2';
      case 'grpc':
        return raw.toLowerCase().startsWith('grpc-web') ? 'HTTP' : 'GRPC';
      case 'tcp':
      case 'mongo':
      case 'redis':
      case 'mysql':
        return 'TCP';
      case 'tls':
      case 'https':
        return 'TLS';
    }
    return undefined;
  };
  return fromName(port.appProtocol) ?? fromName(port.name) ?? 'AUTO';
}

export const isHttpProtocol = (p: Protocol): boolean => p === 'HTTP' || p === 'HTTP2' || p === 'GRPC';
export const isHttp2Protocol = (p: Protocol): boolean => p === 'HTTP2' || p === 'GRPC';
