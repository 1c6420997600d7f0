// Helm values of the Istio charts as the Sail API types them (reference §2.6). Only the fields the
// operator, istiod and the guide use are typed; every partially typed object keeps the fields it
// does not declare (preserveUnknown), so nothing a user sets is pruned. The top level of each
// values type is closed, as upstream's is (unknown top-level keys such as `revisionTags` are dropped).
import { labelSelector, opaque, opaqueList, resourceRequirements } from './common.js';
import { field, type Infer } from './dsl.js';

const str = (description?: string) => field.string({ description });
const bool = (description?: string) => field.boolean({ description });
const int = (description?: string) => field.integer({ description, format: 'int32' });
const strMap = (description?: string) => field.map(field.string(), { description });
const strList = (description?: string) => field.array(field.string(), { description });
const open = <P extends Parameters<typeof field.object>[0]>(props: P, description?: string) =>
  field.object(props, { description, preserveUnknown: true });

const multiCluster = open(
  {
    enabled: bool('Enables the connection between k8s clusters.'),
    clusterName: str('The name of the cluster this installation will run in.'),
    globalDomainSuffix: str('The suffix for global service names.'),
    includeEnvoyFilter: bool('Enable envoy filter to translate globalDomainSuffix to cluster local suffix.'),
  },
  'Settings for multicluster.',
);

const proxy = open(
  {
    image: str('Image name or path for the proxy.'),
    clusterDomain: str('The cluster domain (default cluster.local).'),
    logLevel: str('Log level for the proxy.'),
    componentLogLevel: str('Per component log level for the proxy.'),
    privileged: bool('Enables privileged securityContext for the istio-proxy container.'),
    holdApplicationUntilProxyStarts: bool('Delays application start until the proxy is ready.'),
    includeIPRanges: str('IP ranges to redirect to the sidecar.'),
    excludeIPRanges: str('IP ranges to exclude from redirection.'),
    includeInboundPorts: str('Inbound ports to redirect to the sidecar.'),
    excludeInboundPorts: str('Inbound ports to exclude from redirection.'),
    excludeOutboundPorts: str('Outbound ports to exclude from redirection.'),
    resources: resourceRequirements('Resources for the sidecar.'),
    tracer: str('The tracer implementation the proxy uses.'),
  },
  'Configuration of the sidecar proxy.',
);

const globalConfig = open(
  {
    hub: str('Default hub for Istio images.'),
    tag: field.intOrString({ description: 'Default tag for Istio images.' }),
    variant: str('Image variant (e.g. distroless).'),
    imagePullPolicy: field.string({ enum: ['Always', 'Never', 'IfNotPresent'] as const }),
    imagePullSecrets: strList('Secrets used to pull images.'),
    istioNamespace: str('The namespace of the control plane (always spec.namespace).'),
    meshID: str('The mesh identifier.'),
    network: str('Network this cluster belongs to.'),
    multiCluster,
    meshNetworks: opaque('Mesh networks configuration.'),
    proxy,
    proxy_init: open({ image: str() }, 'Configuration of the proxy init container.'),
    remotePilotAddress: str('Address of the primary istiod for remote clusters.'),
    externalIstiod: bool('Whether this istiod serves remote clusters (primary-remote).'),
    configCluster: bool('Whether this is a config cluster of an external control plane.'),
    caAddress: str('The address of the CA for workload certificates.'),
    caName: str('The name of the CA.'),
    operatorManageWebhooks: bool('The operator manages the webhook configurations.'),
    omitSidecarInjectorConfigMap: bool('Do not render the sidecar injector ConfigMap.'),
    configValidation: bool('Whether to render the validating webhook.'),
    platform: str('The platform (e.g. openshift).'),
    resourceScope: field.string({ enum: ['all', 'cluster', 'namespace'] as const }),
    pilotCertProvider: str('Which provider signs istiod certificates.'),
    jwtPolicy: str('JWT policy (third-party-jwt or first-party-jwt).'),
    trustBundleName: str('Name of the trust bundle ConfigMap.'),
    nativeNftables: bool('Use nftables instead of iptables.'),
    networkPolicy: open({ enabled: bool() }, 'NetworkPolicy settings.'),
    waypoint: opaque('Waypoint deployment settings.'),
    ipFamilies: strList(),
    ipFamilyPolicy: str(),
    logging: open({ level: str('Component log levels, e.g. default:info.') }),
    logAsJson: bool('Output logs as JSON.'),
    defaultPodDisruptionBudget: open({ enabled: bool() }),
    defaultResources: resourceRequirements(),
    priorityClassName: str(),
    revision: str(),
    istiod: open({ enableAnalysis: bool('Enable config analysis in istiod.') }),
    enableReaderRBAC: bool(),
    readerServiceAccount: opaque('The reader service account settings.'),
  },
  'Global configuration for Istio components.',
);

const pilotConfig = open(
  {
    enabled: bool('Whether istiod is enabled.'),
    autoscaleEnabled: bool('Whether the HorizontalPodAutoscaler for istiod is rendered.'),
    autoscaleMin: int('Minimum number of istiod replicas.'),
    autoscaleMax: int('Maximum number of istiod replicas.'),
    autoscaleBehavior: opaque('HPA scaling behaviour.'),
    replicaCount: int('Number of istiod replicas (when autoscaling is off).'),
    rollingMaxSurge: field.intOrString(),
    rollingMaxUnavailable: field.intOrString(),
    hub: str(),
    tag: field.intOrString(),
    variant: str(),
    image: str('Image name for istiod.'),
    traceSampling: field.number({ format: 'double', description: 'Percentage of requests traced.' }),
    resources: resourceRequirements('Resources of the istiod container.'),
    cpu: open({ targetAverageUtilization: int() }),
    memory: open({ targetAverageUtilization: int() }),
    env: strMap('Environment variables passed to the istiod container.'),
    envVarFrom: opaqueList(),
    nodeSelector: strMap(),
    affinity: opaque(),
    tolerations: opaqueList(),
    topologySpreadConstraints: opaqueList(),
    podAnnotations: strMap(),
    podLabels: strMap(),
    deploymentLabels: strMap(),
    serviceAnnotations: strMap(),
    serviceAccountAnnotations: strMap(),
    configMap: bool('Whether the mesh ConfigMap is rendered.'),
    extraContainerArgs: strList('Extra arguments for the istiod container.'),
    volumes: opaqueList(),
    volumeMounts: opaqueList(),
    cni: open({ enabled: bool('Whether istio-cni is used instead of init containers.'), provider: str() }),
    taint: open({ enabled: bool(), namespace: str() }),
    trustedZtunnelNamespace: str('The namespace ztunnel runs in.'),
    istiodRemote: open({ enabled: bool() }),
    crlConfigMapName: str(),
    jwksResolverExtraRootCA: str(),
    keepaliveMaxServerConnectionAge: str(),
    seccompProfile: opaque(),
    ipFamilies: strList(),
    ipFamilyPolicy: str(),
  },
  'Configuration for the Pilot component (istiod).',
);

const proxyConfig = open(
  {
    discoveryAddress: str('Address of the discovery service (istiod).'),
    proxyMetadata: strMap('Additional environment variables for the proxy.'),
    holdApplicationUntilProxyStarts: bool(),
    concurrency: int(),
    drainDuration: str(),
    terminationDrainDuration: str(),
    meshId: str(),
    tracing: opaque(),
    proxyStatsMatcher: opaque(),
    gatewayTopology: opaque(),
    image: opaque(),
    readinessProbe: opaque(),
    statusPort: int(),
    proxyAdminPort: int(),
    extraStatTags: strList(),
  },
  'Default proxy config for workloads.',
);

const meshConfig = open(
  {
    discoverySelectors: field.array(labelSelector(), {
      description: 'Label selectors of the namespaces istiod considers; omitted means all namespaces.',
    }),
    accessLogFile: str('File the proxies write access logs to (/dev/stdout for the container log).'),
    accessLogFormat: str(),
    accessLogEncoding: field.string({ enum: ['TEXT', 'JSON'] as const }),
    defaultConfig: proxyConfig,
    trustDomain: str('The trust domain of the mesh (SPIFFE).'),
    trustDomainAliases: strList(),
    rootNamespace: str(),
    enableAutoMtls: bool(),
    enableTracing: bool(),
    enablePrometheusMerge: bool(),
    connectTimeout: str(),
    protocolDetectionTimeout: str(),
    ingressClass: str(),
    ingressService: str(),
    ingressControllerMode: field.string({ enum: ['UNSPECIFIED', 'OFF', 'DEFAULT', 'STRICT'] as const }),
    ingressSelector: str(),
    outboundTrafficPolicy: open({ mode: field.string({ enum: ['REGISTRY_ONLY', 'ALLOW_ANY'] as const }) }),
    inboundTrafficPolicy: open({ mode: field.string({ enum: ['PASSTHROUGH', 'LOCALHOST'] as const }) }),
    extensionProviders: opaqueList('Extension providers (tracing, access logging, external authorization).'),
    defaultProviders: opaque(),
    meshMTLS: opaque(),
    tlsDefaults: opaque(),
    localityLbSetting: opaque(),
    defaultDestinationRuleExportTo: strList(),
    defaultServiceExportTo: strList(),
    defaultVirtualServiceExportTo: strList(),
    serviceScopeConfigs: opaqueList(),
    serviceSettings: opaqueList(),
    caCertificates: opaqueList(),
    certificates: opaqueList(),
    configSources: opaqueList(),
    defaultHttpRetryPolicy: opaque(),
    h2UpgradePolicy: str(),
    pathNormalization: opaque(),
    tcpKeepalive: opaque(),
  },
  'Mesh-wide settings (the `mesh` key of the istio ConfigMap).',
);

const sidecarInjectorWebhook = open(
  {
    enableNamespacesByDefault: bool('Inject into every namespace without an opt-out label.'),
    reinvocationPolicy: field.string({ enum: ['Never', 'IfNeeded'] as const }),
    neverInjectSelector: field.array(labelSelector()),
    alwaysInjectSelector: field.array(labelSelector()),
    rewriteAppHTTPProbe: bool(),
    injectedAnnotations: strMap(),
    injectionURL: str(),
    templates: strMap(),
    defaultTemplates: strList(),
  },
  'Configuration of the sidecar injector webhook.',
);

const istiodRemote = open(
  {
    enabled: bool('Whether this is a remote (config-less) installation.'),
    enabledLocalInjectorIstiod: bool(),
    injectionURL: str(),
    injectionPath: str('Path of the injection webhook on the remote istiod.'),
    injectionCABundle: str(),
  },
  'Configuration for a remote cluster of a primary-remote or external control plane.',
);

export const values = field.object(
  {
    global: globalConfig,
    pilot: pilotConfig,
    telemetry: open({ enabled: bool(), v2: opaque() }),
    sidecarInjectorWebhook,
    revision: str('Identifies the revision this installation is associated with.'),
    meshConfig,
    base: open({ excludedCRDs: strList(), validationURL: str(), validationCABundle: str() }),
    istiodRemote,
    defaultRevision: str('Deprecated: ignored and cleared by the operator.'),
    profile: str('The profile the Helm chart applies.'),
    compatibilityVersion: str('Chart compatibility version (e.g. 1.29).'),
    experimental: field.any(),
    gatewayClasses: field.any(),
  },
  { description: 'Defines the values to be passed to the Helm charts when installing Istio.' },
);
export type Values = Infer<typeof values>;

const cniAmbient = open({
  enabled: bool(),
  configDir: str(),
  dnsCapture: bool(),
  ipv6: bool(),
  reconcileIptablesOnStartup: bool(),
  enablementSelectors: opaqueList(),
  shareHostNetworkNamespace: bool(),
  enableAmbientDetectionRetry: bool(),
});

const cniConfig = open(
  {
    hub: str(),
    tag: field.intOrString(),
    variant: str(),
    image: str(),
    pullPolicy: str(),
    cniBinDir: str(),
    cniConfDir: str(),
    cniConfFileName: str(),
    cniNetnsDir: str(),
    excludeNamespaces: strList(),
    affinity: opaque(),
    env: strMap(),
    daemonSetLabels: strMap(),
    podAnnotations: strMap(),
    podLabels: strMap(),
    logging: open({ level: str() }),
    repair: opaque(),
    chained: bool(),
    resource_quotas: opaque(),
    resources: resourceRequirements(),
    privileged: bool(),
    seccompProfile: opaque(),
    ambient: cniAmbient,
    provider: str(),
    rollingMaxUnavailable: field.intOrString(),
    istioOwnedCNIConfig: bool(),
    istioOwnedCNIConfigFileName: str(),
  },
  'Configuration for the Istio CNI plugin.',
);

const componentGlobal = (description: string, cni: boolean) =>
  open(
    {
      hub: str(),
      tag: field.intOrString(),
      variant: str(),
      imagePullPolicy: str(),
      imagePullSecrets: strList(),
      defaultResources: resourceRequirements(),
      logging: open({ level: str() }),
      logAsJson: bool(),
      platform: str(),
      ...(cni ? { nativeNftables: bool() } : {}),
    },
    description,
  );

export const cniValues = field.object(
  {
    cni: cniConfig,
    global: componentGlobal('Part of the global configuration applicable to the Istio CNI component.', true),
  },
  { description: 'Defines the values to be passed to the Helm charts when installing Istio CNI.' },
);
export type CNIValues = Infer<typeof cniValues>;

const ztunnelConfig = open(
  {
    hub: str(),
    tag: field.intOrString(),
    variant: str(),
    image: str(),
    network: str(),
    resourceName: str(),
    annotations: strMap(),
    labels: strMap(),
    podAnnotations: strMap(),
    podLabels: strMap(),
    volumes: opaqueList(),
    volumeMounts: opaqueList(),
    tolerations: opaqueList(),
    resources: resourceRequirements(),
    resourceQuotas: opaque(),
    nodeSelector: strMap(),
    env: strMap(),
    imagePullPolicy: str(),
    imagePullSecrets: strList(),
    multiCluster: open({ clusterName: str() }),
    revision: str(),
    caAddress: str(),
    xdsAddress: str(),
    istioNamespace: str(),
    logLevel: str(),
    logAsJson: bool(),
    seLinuxOptions: opaque(),
    updateStrategy: opaque(),
    dnsPolicy: str(),
    dnsConfig: opaque(),
    peerCaCrl: opaque(),
    terminationGracePeriodSeconds: field.integer({ format: 'int64' }),
  },
  'Configuration for the ztunnel component.',
);

export const ztunnelValues = field.object(
  {
    ztunnel: ztunnelConfig,
    global: componentGlobal('Part of the global configuration applicable to the ztunnel component.', false),
  },
  { description: 'Defines the values to be passed to the Helm charts when installing ztunnel.' },
);
export type ZTunnelValues = Infer<typeof ztunnelValues>;
