// Istio's configuration kinds (networking, security, telemetry, extensions.istio.io). The fields
// istiod and its validation webhook read are typed; every partially typed object keeps what it does
// not declare, and the less used kinds keep their whole spec as is.
import { opaque, opaqueList, workloadSelector } from './common.js';
import { AGE, type KindDecl, type PrinterColumn } from './crd.js';
import { field, type AnyField, type Infer } from './dsl.js';

const open = <P extends Parameters<typeof field.object>[0]>(props: P, description?: string) =>
  field.object(props, { description, preserveUnknown: true });
const str = (description?: string) => field.string({ description });
const strList = (description?: string) => field.array(field.string(), { description });
const strMap = () => field.map(field.string());
const u32 = (description?: string) => field.integer({ minimum: 0, maximum: 4294967295, description });

/** Sidecar and ServiceEntry select workloads by `labels` (the others by `matchLabels`). */
const labelsSelector = () =>
  open({ labels: strMap() }, 'Criteria used to select the specific set of pods/VMs.');

const stringMatch = open({ exact: str(), prefix: str(), regex: str() }, 'Exact, prefix or RE2 regex match.');
const portSelector = open({ number: u32('Port number.') });
const destination = open(
  {
    host: str('The name of a service from the service registry.').required(),
    subset: str('The name of a subset in the DestinationRule of the host.'),
    port: portSelector,
  },
  'The destination traffic is forwarded to.',
);
const headerOperations = open({ set: strMap(), add: strMap(), remove: strList() });
const headers = open({ request: headerOperations, response: headerOperations });

const httpMatch = open({
  name: str(),
  uri: stringMatch,
  scheme: stringMatch,
  method: stringMatch,
  authority: stringMatch,
  headers: field.map(stringMatch),
  queryParams: field.map(stringMatch),
  withoutHeaders: field.map(stringMatch),
  port: u32(),
  sourceLabels: strMap(),
  gateways: strList(),
  sourceNamespace: str(),
  ignoreUriCase: field.boolean(),
});

const percent = open({ value: field.number({ format: 'double' }) });
const httpFault = open(
  {
    delay: open({ fixedDelay: str(), percentage: percent, percent: field.integer() }),
    abort: open({ httpStatus: field.integer({ format: 'int32' }), grpcStatus: str(), percentage: percent }),
  },
  'Fault injection applied on the client side.',
);

const httpRoute = open({
  name: str(),
  match: field.array(httpMatch),
  route: field.array(open({ destination, weight: field.integer({ format: 'int32' }), headers })),
  redirect: open({ uri: str(), authority: str(), port: u32(), scheme: str(), redirectCode: u32() }),
  directResponse: open({ status: u32().required(), body: opaque() }),
  delegate: open({ name: str(), namespace: str() }),
  rewrite: open({ uri: str(), authority: str(), uriRegexRewrite: opaque() }),
  timeout: str('Timeout for HTTP requests (e.g. 10s).'),
  retries: open({ attempts: field.integer({ format: 'int32' }), perTryTimeout: str(), retryOn: str() }),
  fault: httpFault,
  mirror: destination,
  mirrorPercentage: percent,
  mirrors: opaqueList(),
  corsPolicy: opaque(),
  headers,
});

const l4MatchProps = {
  destinationSubnets: strList(),
  port: u32(),
  sourceLabels: strMap(),
  gateways: strList(),
  sourceNamespace: str(),
};
const l4Match = open(l4MatchProps);
const tlsMatch = open({ ...l4MatchProps, sniHosts: strList() });
const routeDestination = open({ destination, weight: field.integer({ format: 'int32' }) });

export const virtualServiceSpec = open(
  {
    hosts: strList('The destination hosts to which traffic is being sent.'),
    gateways: strList('The names of gateways and sidecars that should apply these routes.'),
    http: field.array(httpRoute, { description: 'An ordered list of route rules for HTTP traffic.' }),
    tls: field.array(open({ match: field.array(tlsMatch), route: field.array(routeDestination) })),
    tcp: field.array(open({ match: field.array(l4Match), route: field.array(routeDestination) })),
    exportTo: strList(),
  },
  'Configuration affecting traffic routing.',
);
export type VirtualServiceSpec = Infer<typeof virtualServiceSpec>;

const tlsSettings = open({
  mode: field.string({ enum: ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] as const }),
  clientCertificate: str(),
  privateKey: str(),
  caCertificates: str(),
  credentialName: str(),
  subjectAltNames: strList(),
  sni: str(),
  insecureSkipVerify: field.boolean(),
});
const loadBalancer = open({
  simple: field.string({
    enum: ['UNSPECIFIED', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST', 'LEAST_CONN'] as const,
  }),
  consistentHash: opaque(),
  localityLbSetting: opaque(),
});
const trafficPolicyProps = {
  loadBalancer,
  connectionPool: open({
    tcp: open({ maxConnections: field.integer({ format: 'int32' }), connectTimeout: str() }),
    http: open({
      http1MaxPendingRequests: field.integer({ format: 'int32' }),
      http2MaxRequests: field.integer({ format: 'int32' }),
      maxRequestsPerConnection: field.integer({ format: 'int32' }),
      maxRetries: field.integer({ format: 'int32' }),
    }),
  }),
  outlierDetection: open({
    consecutive5xxErrors: field.integer({ minimum: 0 }),
    consecutiveGatewayErrors: field.integer({ minimum: 0 }),
    interval: str(),
    baseEjectionTime: str(),
    maxEjectionPercent: field.integer({ format: 'int32' }),
  }),
  tls: tlsSettings,
};
const trafficPolicy = open({
  ...trafficPolicyProps,
  portLevelSettings: field.array(open({ port: portSelector, ...trafficPolicyProps })),
});

export const destinationRuleSpec = open(
  {
    host: str('The name of a service from the service registry.'),
    trafficPolicy,
    subsets: field.array(
      open({ name: str('Name of the subset.').required(), labels: strMap(), trafficPolicy }),
      { description: 'Named sets of endpoints of the service.' },
    ),
    exportTo: strList(),
    workloadSelector: workloadSelector(),
  },
  'Policies that apply to traffic intended for a service after routing has occurred.',
);
export type DestinationRuleSpec = Infer<typeof destinationRuleSpec>;

export const gatewaySpec = open(
  {
    selector: field.map(field.string(), { description: 'Labels of the pods the gateway applies to.' }),
    servers: field.array(
      open({
        port: open({
          number: u32(),
          protocol: str('HTTP|HTTPS|GRPC|GRPC-WEB|HTTP2|MONGO|TCP|TLS.'),
          name: str(),
          targetPort: u32(),
        }),
        bind: str(),
        hosts: strList('One or more hosts exposed by this gateway.'),
        tls: open({
          httpsRedirect: field.boolean(),
          mode: field.string({
            enum: [
              'PASSTHROUGH',
              'SIMPLE',
              'MUTUAL',
              'AUTO_PASSTHROUGH',
              'ISTIO_MUTUAL',
              'OPTIONAL_MUTUAL',
            ] as const,
          }),
          credentialName: str(),
          serverCertificate: str(),
          privateKey: str(),
          caCertificates: str(),
          subjectAltNames: strList(),
          minProtocolVersion: str(),
          maxProtocolVersion: str(),
        }),
        defaultEndpoint: str(),
        name: str(),
      }),
      { description: 'The servers exposed by this gateway.' },
    ),
  },
  'A load balancer at the edge of the mesh.',
);
export type GatewaySpec = Infer<typeof gatewaySpec>;

export const serviceEntrySpec = open({
  hosts: strList('The hosts associated with the ServiceEntry.'),
  addresses: strList(),
  ports: field.array(
    open({ number: u32().required(), protocol: str(), name: str().required(), targetPort: u32() }),
  ),
  location: field.string({ enum: ['MESH_EXTERNAL', 'MESH_INTERNAL'] as const }),
  resolution: field.string({ enum: ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'] as const }),
  endpoints: opaqueList(),
  workloadSelector: labelsSelector(),
  exportTo: strList(),
  subjectAltNames: strList(),
});
export type ServiceEntrySpec = Infer<typeof serviceEntrySpec>;

export const sidecarSpec = open({
  workloadSelector: labelsSelector(),
  ingress: opaqueList(),
  egress: field.array(open({ port: opaque(), bind: str(), captureMode: str(), hosts: strList() })),
  outboundTrafficPolicy: open({ mode: field.string({ enum: ['REGISTRY_ONLY', 'ALLOW_ANY'] as const }) }),
});
export type SidecarSpec = Infer<typeof sidecarSpec>;

export const workloadEntrySpec = open({
  address: str('Address associated with the network endpoint.'),
  ports: field.map(u32()),
  labels: strMap(),
  network: str(),
  locality: str(),
  weight: u32(),
  serviceAccount: str(),
});
export type WorkloadEntrySpec = Infer<typeof workloadEntrySpec>;

const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
export const peerAuthenticationSpec = open({
  selector: workloadSelector(),
  mtls: open({ mode: field.string({ enum: MTLS_MODES, description: 'Defines the mTLS mode.' }) }),
  portLevelMtls: field.map(open({ mode: field.string({ enum: MTLS_MODES }) }), {
    description: 'Port specific mutual TLS settings (keys are workload port numbers).',
  }),
});
export type PeerAuthenticationSpec = Infer<typeof peerAuthenticationSpec>;

const listOf = (...names: string[]) => Object.fromEntries(names.map((n) => [n, strList()]));
const targetRef = open({ group: str(), kind: str().required(), name: str().required(), namespace: str() });
export const authorizationPolicySpec = open({
  selector: workloadSelector(),
  targetRef,
  targetRefs: field.array(targetRef),
  action: field.string({
    enum: ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const,
    description: 'The operation to take.',
  }),
  provider: open({ name: str() }),
  rules: field.array(
    open({
      from: field.array(
        open({
          source: open(
            listOf(
              'principals',
              'notPrincipals',
              'requestPrincipals',
              'notRequestPrincipals',
              'namespaces',
              'notNamespaces',
              'ipBlocks',
              'notIpBlocks',
              'remoteIpBlocks',
              'notRemoteIpBlocks',
              'serviceAccounts',
              'notServiceAccounts',
            ) as Record<string, ReturnType<typeof strList>>,
          ),
        }),
      ),
      to: field.array(
        open({
          operation: open(
            listOf(
              'hosts',
              'notHosts',
              'ports',
              'notPorts',
              'methods',
              'notMethods',
              'paths',
              'notPaths',
            ) as Record<string, ReturnType<typeof strList>>,
          ),
        }),
      ),
      when: field.array(open({ key: str().required(), values: strList(), notValues: strList() })),
    }),
  ),
});
export type AuthorizationPolicySpec = Infer<typeof authorizationPolicySpec>;

export const requestAuthenticationSpec = open({
  selector: workloadSelector(),
  targetRef,
  targetRefs: field.array(targetRef),
  jwtRules: field.array(
    open({
      issuer: str().required(),
      audiences: strList(),
      jwksUri: str(),
      jwks: str(),
      fromHeaders: opaqueList(),
      fromParams: strList(),
      outputPayloadToHeader: str(),
      forwardOriginalToken: field.boolean(),
    }),
  ),
});
export type RequestAuthenticationSpec = Infer<typeof requestAuthenticationSpec>;

export const istioStatus = field.object(
  {
    conditions: field.array(
      open({
        type: str(),
        status: str(),
        reason: str(),
        message: str(),
        lastProbeTime: str(),
        lastTransitionTime: str(),
      }),
    ),
    validationMessages: opaqueList(),
    observedGeneration: field.intOrString(),
  },
  { preserveUnknown: true },
);
export type IstioConfigStatus = Infer<typeof istioStatus>;

// ---- CRD declarations ----
const LABELS = { app: 'istio-pilot', chart: 'istio', heritage: 'Tiller', release: 'istio' };
const col = (name: string, jsonPath: string, description: string): PrinterColumn => ({
  name,
  jsonPath,
  type: 'string',
  description,
});

type VersionSet = { names: string[]; storage: string };
const GA3: VersionSet = { names: ['v1', 'v1alpha3', 'v1beta1'], storage: 'v1' };
const GA_BETA: VersionSet = { names: ['v1', 'v1beta1'], storage: 'v1' };

function istioKind(
  group: string,
  kind: string,
  plural: string,
  versions: VersionSet,
  spec: AnyField,
  columns: PrinterColumn[] | undefined,
  shortNames?: string[],
  extraLabels: Record<string, string> = {},
): KindDecl {
  const short = group.split('.')[0];
  return {
    group,
    kind,
    plural,
    singular: kind.toLowerCase(),
    scope: 'Namespaced',
    ...(shortNames ? { shortNames } : {}),
    categories: ['istio-io', `${short}-istio-io`],
    labels: { ...LABELS, ...extraLabels },
    versions: versions.names.map((name) => ({
      name,
      served: true,
      storage: name === versions.storage,
      spec,
      status: istioStatus,
      columns: columns ?? [],
    })),
  };
}

const NET = 'networking.istio.io';
const SEC = 'security.istio.io';
const opaqueSpec = (description: string) => field.preserveUnknown({ description });

export const istioConfigKinds: KindDecl[] = [
  istioKind(
    'extensions.istio.io',
    'TrafficExtension',
    'trafficextensions',
    { names: ['v1alpha1'], storage: 'v1alpha1' },
    opaqueSpec('Traffic extension configuration.'),
    [AGE],
  ),
  istioKind(
    'extensions.istio.io',
    'WasmPlugin',
    'wasmplugins',
    { names: ['v1alpha1'], storage: 'v1alpha1' },
    opaqueSpec('Extends proxy functionality with WebAssembly filters.'),
    [AGE],
  ),
  istioKind(
    NET,
    'DestinationRule',
    'destinationrules',
    GA3,
    destinationRuleSpec,
    [col('Host', '.spec.host', 'The name of a service from the service registry.'), AGE],
    ['dr'],
  ),
  istioKind(
    NET,
    'EnvoyFilter',
    'envoyfilters',
    { names: ['v1alpha3'], storage: 'v1alpha3' },
    opaqueSpec('Customizes the Envoy configuration generated by istiod.'),
    undefined,
  ),
  istioKind(NET, 'Gateway', 'gateways', GA3, gatewaySpec, undefined, ['gw']),
  istioKind(
    NET,
    'ProxyConfig',
    'proxyconfigs',
    { names: ['v1beta1'], storage: 'v1beta1' },
    opaqueSpec('Workload-specific proxy configuration.'),
    undefined,
  ),
  istioKind(
    NET,
    'ServiceEntry',
    'serviceentries',
    GA3,
    serviceEntrySpec,
    [
      col('Hosts', '.spec.hosts', 'The hosts associated with the ServiceEntry.'),
      col('Location', '.spec.location', 'MESH_EXTERNAL or MESH_INTERNAL.'),
      col('Resolution', '.spec.resolution', 'Service resolution mode for the hosts.'),
      AGE,
    ],
    ['se'],
  ),
  istioKind(NET, 'Sidecar', 'sidecars', GA3, sidecarSpec, undefined),
  istioKind(
    NET,
    'VirtualService',
    'virtualservices',
    GA3,
    virtualServiceSpec,
    [
      col('Gateways', '.spec.gateways', 'The gateways and sidecars that apply these routes.'),
      col('Hosts', '.spec.hosts', 'The destination hosts.'),
      AGE,
    ],
    ['vs'],
  ),
  istioKind(
    NET,
    'WorkloadEntry',
    'workloadentries',
    GA3,
    workloadEntrySpec,
    [AGE, col('Address', '.spec.address', 'Address of the network endpoint.')],
    ['we'],
  ),
  istioKind(
    NET,
    'WorkloadGroup',
    'workloadgroups',
    GA3,
    opaqueSpec('Describes a collection of workload instances.'),
    [AGE],
    ['wg'],
  ),
  istioKind(
    SEC,
    'AuthorizationPolicy',
    'authorizationpolicies',
    GA_BETA,
    authorizationPolicySpec,
    [col('Action', '.spec.action', 'The operation to take.'), AGE],
    ['ap'],
    { istio: 'security' },
  ),
  istioKind(
    SEC,
    'PeerAuthentication',
    'peerauthentications',
    GA_BETA,
    peerAuthenticationSpec,
    [col('Mode', '.spec.mtls.mode', 'The mTLS mode.'), AGE],
    ['pa'],
    { istio: 'security' },
  ),
  istioKind(
    SEC,
    'RequestAuthentication',
    'requestauthentications',
    GA_BETA,
    requestAuthenticationSpec,
    undefined,
    ['ra'],
    { istio: 'security' },
  ),
  istioKind(
    'telemetry.istio.io',
    'Telemetry',
    'telemetries',
    { names: ['v1', 'v1alpha1'], storage: 'v1alpha1' },
    opaqueSpec('Telemetry configuration for workloads.'),
    [AGE],
    ['telemetry'],
    { istio: 'telemetry' },
  ),
];
