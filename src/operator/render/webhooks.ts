import { bool, str } from './merge.js';
import { revLabel, revSuffix } from './revision.js';
import type { KubeObject, Values } from './types.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

const INJECT = 'sidecar.istio.io/inject';
const REV = 'istio.io/rev';
const INJECTION = 'istio-injection';
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];

const req = (key: string, operator: LabelSelectorRequirement['operator'], values?: string[]) =>
  values ? { key, operator, values } : { key, operator };
const sel = (...matchExpressions: LabelSelectorRequirement[]): LabelSelector => ({ matchExpressions });

interface WebhookEntry {
  name: string;
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
}

/**
 * The injector webhook entries for one revision or tag name `rev` (`default` for the default revision). The
 * `namespace.`/`object.`/`auto.` entries exist only for the default revision or the `default` tag, which is
 * what makes `istio-injection=enabled` and `sidecar.istio.io/inject=true` pick it.
 */
export function injectorWebhookEntries(
  rev: string,
  isDefault: boolean,
  enableNamespacesByDefault: boolean,
): WebhookEntry[] {
  const entries: WebhookEntry[] = [
    {
      name: 'rev.namespace.sidecar-injector.istio.io',
      namespaceSelector: sel(req(REV, 'In', [rev]), req(INJECTION, 'DoesNotExist')),
      objectSelector: sel(req(INJECT, 'NotIn', ['false'])),
    },
    {
      name: 'rev.object.sidecar-injector.istio.io',
      namespaceSelector: sel(req(REV, 'DoesNotExist'), req(INJECTION, 'DoesNotExist')),
      objectSelector: sel(req(INJECT, 'NotIn', ['false']), req(REV, 'In', [rev])),
    },
  ];
  if (!isDefault) return entries;
  entries.push(
    {
      name: 'namespace.sidecar-injector.istio.io',
      namespaceSelector: sel(req(INJECTION, 'In', ['enabled'])),
      objectSelector: sel(req(INJECT, 'NotIn', ['false'])),
    },
    {
      name: 'object.sidecar-injector.istio.io',
      namespaceSelector: sel(req(INJECTION, 'DoesNotExist'), req(REV, 'DoesNotExist')),
      objectSelector: sel(req(INJECT, 'In', ['true']), req(REV, 'DoesNotExist')),
    },
  );
  if (enableNamespacesByDefault) {
    entries.push({
      name: 'auto.sidecar-injector.istio.io',
      namespaceSelector: sel(
        req(INJECTION, 'DoesNotExist'),
        req(REV, 'DoesNotExist'),
        req('kubernetes.io/metadata.name', 'NotIn', SYSTEM_NAMESPACES),
      ),
      objectSelector: sel(req(INJECT, 'DoesNotExist'), req(REV, 'DoesNotExist')),
    });
  }
  return entries;
}

/** Where the injector is reached: `istiodRemote.injectionURL`, else the revision's istiod Service. */
function injectorClientConfig(
  values: Values,
  namespace: string,
  withCaBundle: boolean,
): Record<string, unknown> {
  const url = str(values, 'istiodRemote.injectionURL');
  const caBundle = withCaBundle ? str(values, 'istiodRemote.injectionCABundle') : '';
  const target = url
    ? { url }
    : {
        service: {
          name: `istiod${revSuffix(values)}`,
          namespace,
          path: str(values, 'istiodRemote.injectionPath', '/inject') || '/inject',
          port: 443,
        },
      };
  return caBundle ? { ...target, caBundle } : target;
}

const nsSuffix = (namespace: string) => (namespace === 'istio-system' ? '' : `-${namespace}`);

/** `istio-sidecar-injector[-<rev>][-<ns unless istio-system>]`, as the istiod chart names it. */
export const injectorWebhookName = (values: Values, namespace: string): string =>
  `istio-sidecar-injector${revSuffix(values)}${nsSuffix(namespace)}`;

/** `istio-validator[-<rev>]-<istioNamespace>`. */
export const validatorWebhookName = (values: Values, namespace: string): string =>
  `istio-validator${revSuffix(values)}-${namespace}`;

function mutatingWebhooks(entries: WebhookEntry[], values: Values, namespace: string, withCaBundle: boolean) {
  return entries.map((e) => ({
    name: e.name,
    admissionReviewVersions: ['v1'],
    clientConfig: injectorClientConfig(values, namespace, withCaBundle),
    failurePolicy: 'Fail',
    namespaceSelector: e.namespaceSelector,
    objectSelector: e.objectSelector,
    reinvocationPolicy: str(values, 'sidecarInjectorWebhook.reinvocationPolicy', 'Never') || 'Never',
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
    sideEffects: 'None',
  }));
}

/** The revision's MutatingWebhookConfiguration (values are the revision's effective values). */
export function injectorWebhookConfiguration(
  values: Values,
  namespace: string,
  labels: Record<string, string>,
) {
  const rev = revLabel(values);
  const entries = injectorWebhookEntries(
    rev,
    str(values, 'revision') === '',
    bool(values, 'sidecarInjectorWebhook.enableNamespacesByDefault'),
  );
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: injectorWebhookName(values, namespace),
      labels: { ...labels, app: 'sidecar-injector' },
    },
    webhooks: mutatingWebhooks(entries, values, namespace, true),
  } satisfies KubeObject;
}

/**
 * The tag's MutatingWebhookConfiguration `istio-revision-tag-<tag>[-<ns>]`: the `rev.*` entries match the
 * tag name; the `default` tag also carries the default-revision entries. Requests go to the target
 * revision's istiod (values are the target revision's effective values).
 */
export function revisionTagWebhookConfiguration(
  tag: string,
  values: Values,
  namespace: string,
  labels: Record<string, string>,
) {
  const entries = injectorWebhookEntries(
    tag,
    tag === 'default',
    bool(values, 'sidecarInjectorWebhook.enableNamespacesByDefault'),
  );
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: `istio-revision-tag-${tag}${nsSuffix(namespace)}`,
      labels: { ...labels, app: 'sidecar-injector', 'istio.io/rev': revLabel(values), 'istio.io/tag': tag },
    },
    // The tag chart sets no caBundle: istiod patches it in.
    webhooks: mutatingWebhooks(entries, values, namespace, false),
  } satisfies KubeObject;
}

/** The revision's ValidatingWebhookConfiguration for Istio config kinds. */
export function validatorWebhookConfiguration(
  values: Values,
  namespace: string,
  labels: Record<string, string>,
) {
  const url = str(values, 'base.validationURL');
  const caBundle = str(values, 'base.validationCABundle');
  const target = url
    ? { url }
    : { service: { name: `istiod${revSuffix(values)}`, namespace, path: '/validate', port: 443 } };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: {
      name: validatorWebhookName(values, namespace),
      labels: { ...labels, app: 'istiod', istio: 'istiod' },
    },
    webhooks: [
      {
        name: 'rev.validation.istio.io',
        admissionReviewVersions: ['v1beta1', 'v1'],
        clientConfig: caBundle ? { ...target, caBundle } : target,
        // Ignore on first install; istiod switches it to Fail once its webhook serves.
        failurePolicy: 'Ignore',
        objectSelector: sel(req(REV, 'In', [revLabel(values)])),
        rules: [
          {
            apiGroups: [
              'security.istio.io',
              'networking.istio.io',
              'telemetry.istio.io',
              'extensions.istio.io',
            ],
            apiVersions: ['*'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['*'],
          },
        ],
        sideEffects: 'None',
      },
    ],
  } satisfies KubeObject;
}
