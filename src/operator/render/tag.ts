import { finalizeObjects } from './objects.js';
import { istiodContext } from './istiod.js';
import { isRemote, ownerReferenceTo, revSuffix } from './revision.js';
import {
  RenderValidationError,
  type IstioRevisionLike,
  type IstioRevisionTagLike,
  type KubeObject,
} from './types.js';
import { revisionTagWebhookConfiguration } from './webhooks.js';

/**
 * What an IstioRevisionTag renders once its target revision is resolved: the tag's Service (selecting the
 * target's istiod pods) and its MutatingWebhookConfiguration. Tags cannot target a remote control plane.
 */
export function renderIstioRevisionTag(tag: IstioRevisionTagLike, target: IstioRevisionLike): KubeObject[] {
  if (isRemote(target.spec.values)) {
    throw new RenderValidationError(
      `IstioRevisionTag "${tag.metadata.name}" cannot target IstioRevision "${target.metadata.name}": revision tags are not supported with a remote control plane`,
    );
  }
  const ctx = istiodContext(target);
  const name = tag.metadata.name;
  const release = `${name}-revisiontags`;
  const labels = {
    ...ctx.labels,
    'app.kubernetes.io/instance': release,
    'helm.sh/chart': `revisiontags-${ctx.version}`,
    release,
  };
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `istiod-revision-tag-${name}`,
      namespace: ctx.namespace,
      labels: { ...labels, app: 'istiod', istio: 'pilot', 'istio.io/tag': name },
    },
    spec: {
      ports: [
        { name: 'grpc-xds', port: 15010, protocol: 'TCP' },
        { name: 'https-dns', port: 15012, protocol: 'TCP' },
        { name: 'https-webhook', port: 443, protocol: 'TCP', targetPort: 15017 },
        { name: 'http-monitoring', port: 15014, protocol: 'TCP' },
      ],
      selector: { app: 'istiod', 'istio.io/rev': ctx.rev },
    },
  };
  return finalizeObjects(
    [svc, revisionTagWebhookConfiguration(name, ctx.values, ctx.namespace, labels)],
    ownerReferenceTo('IstioRevisionTag', tag.metadata),
  );
}

/**
 * The base chart's `default-base` release (installed in the operator's namespace by the revision or tag
 * named `default`): the cluster-default validator targeting the default revision's istiod, and the reader
 * service account istio-reader-clusterrole binds to.
 */
export function renderDefaultBase(
  target: IstioRevisionLike,
  owner: { kind: 'IstioRevision' | 'IstioRevisionTag'; name: string; uid?: string },
): KubeObject[] {
  const ctx = istiodContext(target);
  const labels = { ...ctx.labels, 'app.kubernetes.io/instance': 'default-base', release: 'default-base' };
  const vwc: KubeObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: {
      name: 'istiod-default-validator',
      labels: { ...labels, app: 'istiod', 'istio.io/rev': target.metadata.name },
    },
    webhooks: [
      {
        name: 'validation.istio.io',
        admissionReviewVersions: ['v1beta1', 'v1'],
        clientConfig: {
          service: {
            name: `istiod${revSuffix(ctx.values)}`,
            namespace: ctx.namespace,
            path: '/validate',
            port: 443,
          },
        },
        failurePolicy: 'Ignore',
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
  };
  const sa: KubeObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: 'istio-reader-service-account',
      namespace: ctx.namespace,
      labels: { ...labels, app: 'istio-reader' },
    },
  };
  return finalizeObjects([sa, vwc], ownerReferenceTo(owner.kind, owner));
}
