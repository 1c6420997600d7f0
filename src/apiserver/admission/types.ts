// Shapes of an admission request as the handlers hand it over, and of the webhook fields of
// Mutating-/ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1) that this folder reads.

import type { KubeObject } from '../types.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionUserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, e.g. "pods". */
  resource: string;
  subresource?: string;
  /** Empty/absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
  /** The new object (absent for DELETE and most CONNECTs). */
  object?: KubeObject;
  /** The stored object (absent for CREATE). */
  oldObject?: KubeObject;
  dryRun: boolean;
  /** CreateOptions / UpdateOptions / DeleteOptions (or a CONNECT options kind), sent as request.options. */
  options?: object;
  userInfo: AdmissionUserInfo;
}

/** Labels of a namespace, or undefined when the namespace does not exist. */
export type NamespaceLabels = (ns: string) => Record<string, string> | undefined;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface RuleWithOperations {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
}

export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  /** base64 of PEM CA certificates. */
  caBundle?: string;
}

/** One entry of `webhooks[]` (mutating and validating share everything but reinvocationPolicy). */
export interface WebhookSpec {
  name: string;
  clientConfig: WebhookClientConfig;
  rules?: RuleWithOperations[];
  failurePolicy?: 'Ignore' | 'Fail';
  matchPolicy?: 'Exact' | 'Equivalent';
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  sideEffects?: 'None' | 'NoneOnDryRun' | 'Some' | 'Unknown';
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  reinvocationPolicy?: 'Never' | 'IfNeeded';
  matchConditions?: unknown[];
}

/** A webhook together with where it came from; `index` is its position in the ordered list of all webhooks. */
export interface WebhookRef {
  configurationName: string;
  webhook: WebhookSpec;
  index: number;
}

export interface WebhookDeps {
  /**
   * Maps a service reference to an address the API server can reach. The certificate is still
   * verified for `<name>.<namespace>.svc`. Without it the service DNS name is dialled directly.
   */
  resolveService?: (namespace: string, name: string, port: number) => Promise<{ host: string; port: number }>;
  /** Client certificate presented to webhooks (PEM). */
  clientCert?: { cert: string | Buffer; key: string | Buffer };
  /** Source of request uids (tests); default crypto.randomUUID. */
  newUid?: () => string;
}

export interface MutatingResult {
  object: KubeObject;
  warnings: string[];
  /** Audit annotations: `<webhook>/<key>` from responses plus upstream's mutation/patch records. */
  annotations: Record<string, string>;
}

export interface ValidatingResult {
  warnings: string[];
  annotations: Record<string, string>;
}
