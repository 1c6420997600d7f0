// The inputs of sidecar injection: the parts of istiod's injector ConfigMap (`config` + `values`), the mesh
// config and the request context that the templates read. Only the fields Mizzen's templates use are typed.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = Record<string, unknown>;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** The `config` key of the `istio-sidecar-injector[-rev]` ConfigMap (YAML), minus the Go templates. */
export interface InjectorConfig {
  /** `enabled` (default) or `disabled`: whether pods with no explicit opinion are injected. */
  policy?: 'enabled' | 'disabled';
  alwaysInjectSelector?: LabelSelector[];
  neverInjectSelector?: LabelSelector[];
  /** Extra annotations put on every injected pod. */
  injectedAnnotations?: Record<string, string>;
  /** Templates used when the pod names none (default `[sidecar]`). */
  defaultTemplates?: string[];
  /** Template aliases, e.g. `{ ingress: ['gateway'] }`. */
  aliases?: Record<string, string[]>;
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** The `values` key of the injector ConfigMap (JSON of the Helm values), the fields injection reads. */
export interface InjectionValues {
  revision?: string;
  global?: {
    hub?: string;
    tag?: string;
    imagePullPolicy?: string;
    istioNamespace?: string;
    caAddress?: string;
    pilotCertProvider?: string;
    meshID?: string;
    network?: string;
    trustDomain?: string;
    multiCluster?: { clusterName?: string };
    logging?: { level?: string };
    sds?: { token?: { aud?: string } };
    proxy?: {
      image?: string;
      resources?: ResourceRequirements;
      clusterDomain?: string;
      logLevel?: string;
      componentLogLevel?: string;
      statusPort?: number;
      includeIPRanges?: string;
      excludeIPRanges?: string;
      includeInboundPorts?: string;
      excludeInboundPorts?: string;
      includeOutboundPorts?: string;
      excludeOutboundPorts?: string;
      autoInject?: 'enabled' | 'disabled';
      holdApplicationUntilProxyStarts?: boolean;
      privileged?: boolean;
      readinessInitialDelaySeconds?: number;
      readinessPeriodSeconds?: number;
      readinessFailureThreshold?: number;
      startupProbe?: { enabled?: boolean; failureThreshold?: number };
    };
    proxy_init?: { image?: string; resources?: ResourceRequirements };
  };
  istio_cni?: { enabled?: boolean; chained?: boolean; provider?: string };
  pilot?: { cni?: { enabled?: boolean } };
  sidecarInjectorWebhook?: {
    rewriteAppHTTPProbe?: boolean;
    enableNamespacesByDefault?: boolean;
    neverInjectSelector?: LabelSelector[];
    alwaysInjectSelector?: LabelSelector[];
    injectedAnnotations?: Record<string, string>;
    defaultTemplates?: string[];
  };
}

/** The Istio ProxyConfig (mesh `defaultConfig` merged with `proxy.istio.io/config`), loosely typed. */
export interface ProxyConfig {
  discoveryAddress?: string;
  interceptionMode?: 'REDIRECT' | 'TPROXY' | 'NONE';
  holdApplicationUntilProxyStarts?: boolean;
  statusPort?: number;
  proxyMetadata?: Record<string, string>;
  [key: string]: unknown;
}

/** The `mesh` key of the `istio[-rev]` ConfigMap, the fields injection reads. */
export interface MeshConfig {
  trustDomain?: string;
  defaultConfig?: ProxyConfig;
  enablePrometheusMerge?: boolean;
  [key: string]: unknown;
}

export interface InjectionContext {
  /** Revision name; '' and 'default' both mean the default revision. */
  revision: string;
  config: InjectorConfig;
  values: InjectionValues;
  mesh: MeshConfig;
  /** The pod's namespace object, when known (only its name and labels are read). */
  namespace?: { metadata?: { name?: string; labels?: Record<string, string> } };
  /** From the webhook path `/inject/cluster/<id>/net/<net>`; override `values`. */
  clusterId?: string;
  network?: string;
  /** Other `/inject/<k>/<v>` path pairs, as env vars for the proxy. */
  extraEnv?: Record<string, string>;
  /** Default `istiod[-rev].<istioNamespace>.svc:15012`. */
  istiodAddress?: string;
  /** istio-proxy as a restartable init container (Kubernetes native sidecars). Default false. */
  nativeSidecars?: boolean;
}

export interface Container {
  name: string;
  image?: string;
  args?: string[];
  env?: Obj[];
  ports?: Obj[];
  readinessProbe?: Obj;
  livenessProbe?: Obj;
  startupProbe?: Obj;
  volumeMounts?: Obj[];
  restartPolicy?: string;
  [key: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; controller?: boolean }[];
    managedFields?: unknown;
    [key: string]: unknown;
  };
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    volumes?: Obj[];
    hostNetwork?: boolean;
    serviceAccountName?: string;
    securityContext?: Obj;
    imagePullSecrets?: { name: string }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export const PROXY_CONTAINER = 'istio-proxy';
export const INIT_CONTAINER = 'istio-init';
export const VALIDATION_CONTAINER = 'istio-validation';
export const STATUS_ANNOTATION = 'sidecar.istio.io/status';
export const INJECT_KEY = 'sidecar.istio.io/inject';
export const TEMPLATES_ANNOTATION = 'inject.istio.io/templates';
