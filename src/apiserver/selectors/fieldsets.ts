// Selectable fields per resource. Two upstream pieces are mirrored here: the registry's
// ToSelectableFields (which values an object exposes) and the scheme's field-label conversion
// functions (which labels a request may use, and the error text for the others).

import type { KubeObject } from '../types.js';
import { badRequest } from '../errors.js';
import { goQuote } from './goformat.js';
import type { FieldSetFn } from './fields.js';

type Extract = (obj: KubeObject) => Record<string, string>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function metaFields(obj: KubeObject): Record<string, string> {
  return { 'metadata.name': str(obj.metadata?.name), 'metadata.namespace': str(obj.metadata?.namespace) };
}

function withLabels(
  extract: Extract,
  allowed: readonly string[],
  message: (label: string) => string,
  renames: Record<string, string> = {},
): FieldSetFn {
  const fn = ((obj: KubeObject) => extract(obj)) as FieldSetFn;
  const ok = new Set(allowed);
  fn.convertLabel = (label: string) => {
    if (Object.prototype.hasOwnProperty.call(renames, label)) return renames[label];
    if (ok.has(label)) return label;
    throw badRequest(message(label));
  };
  return fn;
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

// Kinds without a registered conversion fall back to runtime.DefaultMetaV1FieldSelectorConversion.
const defaultMessage = (label: string): string =>
  `${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`;

const META = ['metadata.name', 'metadata.namespace'] as const;

const podFields = withLabels(
  (pod) => {
    const spec = pod.spec ?? {};
    const status = pod.status ?? {};
    const podIP = status.podIP || status.podIPs?.[0]?.ip || '';
    return {
      ...metaFields(pod),
      'spec.nodeName': str(spec.nodeName),
      'spec.restartPolicy': str(spec.restartPolicy),
      'spec.schedulerName': str(spec.schedulerName),
      'spec.serviceAccountName': str(spec.serviceAccountName),
      'spec.hostNetwork': spec.hostNetwork === true ? 'true' : 'false',
      'status.phase': str(status.phase),
      'status.podIP': str(podIP),
      'status.nominatedNodeName': str(status.nominatedNodeName),
    };
  },
  [
    ...META,
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  notSupported,
  // Old v1 clients send spec.host.
  { 'spec.host': 'spec.nodeName' },
);

const nodeFields = withLabels(
  (node) => ({
    ...metaFields(node),
    'spec.unschedulable': node.spec?.unschedulable === true ? 'true' : 'false',
  }),
  ['metadata.name', 'spec.unschedulable'],
  notSupported,
);

/** core/v1 Event; events.k8s.io/v1 objects are read through their v1 equivalents. */
function coreEventView(ev: KubeObject): Record<string, string> {
  const io = ev.involvedObject ?? ev.regarding ?? {};
  const reporting = ev.reportingComponent ?? ev.reportingController ?? '';
  const component = ev.source?.component ?? ev.deprecatedSource?.component ?? '';
  return {
    ...metaFields(ev),
    'involvedObject.kind': str(io.kind),
    'involvedObject.namespace': str(io.namespace),
    'involvedObject.name': str(io.name),
    'involvedObject.uid': str(io.uid),
    'involvedObject.apiVersion': str(io.apiVersion),
    'involvedObject.resourceVersion': str(io.resourceVersion),
    'involvedObject.fieldPath': str(io.fieldPath),
    reason: str(ev.reason),
    reportingComponent: str(reporting),
    // Newer events carry only reportingComponent; upstream falls back to it for `source`.
    source: str(component || reporting),
    type: str(ev.type),
  };
}

const eventFields = withLabels(
  coreEventView,
  [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
    ...META,
  ],
  notSupported,
);

const namespaceFields = withLabels(
  (ns) => ({ ...metaFields(ns), 'status.phase': str(ns.status?.phase) }),
  ['status.phase', 'metadata.name'],
  notSupported,
);

const secretFields = withLabels(
  (s) => ({ ...metaFields(s), type: str(s.type) }),
  ['type', ...META],
  notSupported,
);

const serviceFields = withLabels(
  (svc) => ({
    ...metaFields(svc),
    'spec.clusterIP': str(svc.spec?.clusterIP),
    'spec.type': str(svc.spec?.type),
  }),
  [...META, 'spec.clusterIP', 'spec.type'],
  notSupported,
);

const replicationControllerFields = withLabels(
  (rc) => ({ ...metaFields(rc), 'status.replicas': String(rc.status?.replicas ?? 0) }),
  [...META, 'status.replicas'],
  notSupported,
);

const replicaSetFields = withLabels(
  (rs) => ({ ...metaFields(rs), 'status.replicas': String(rs.status?.replicas ?? 0) }),
  [...META, 'status.replicas'],
  notSupported,
);

const jobFields = withLabels(
  (job) => ({ ...metaFields(job), 'status.successful': String(job.status?.succeeded ?? 0) }),
  [...META, 'status.successful'],
  (label) => `field label ${goQuote(label)} not supported for batchv1.Job`,
);

const csrFields = withLabels(
  (csr) => ({ ...metaFields(csr), 'spec.signerName': str(csr.spec?.signerName) }),
  [...META, 'spec.signerName'],
  notSupported,
);

const defaultFields = withLabels(metaFields, META, defaultMessage);

const table: Record<string, FieldSetFn> = {
  '/pods': podFields,
  '/nodes': nodeFields,
  '/events': eventFields,
  'events.k8s.io/events': eventFields,
  '/namespaces': namespaceFields,
  '/secrets': secretFields,
  '/services': serviceFields,
  '/replicationcontrollers': replicationControllerFields,
  'apps/replicasets': replicaSetFields,
  'batch/jobs': jobFields,
  'certificates.k8s.io/certificatesigningrequests': csrFields,
};

/** The selectable field set for a built-in resource (metadata.name/namespace for anything unknown). */
export function fieldsFor(group: string, resource: string): FieldSetFn {
  return table[`${group}/${resource}`] ?? defaultFields;
}

/**
 * Field set for a custom resource: metadata plus the CRD version's `selectableFields`
 * (jsonPaths such as `.spec.color`, exposed as `spec.color`).
 */
export function crdFieldsFor(selectableFields: readonly { jsonPath: string }[] = []): FieldSetFn {
  const paths = selectableFields.map((f) => f.jsonPath.replace(/^\./, ''));
  return withLabels(
    (obj) => {
      const out = metaFields(obj);
      for (const p of paths) {
        let cur: any = obj;
        for (const part of p.split('.'))
          cur = cur !== null && typeof cur === 'object' ? cur[part] : undefined;
        out[p] = cur === undefined || cur === null || typeof cur === 'object' ? '' : String(cur);
      }
      return out;
    },
    [...META, ...paths],
    notSupported,
  );
}
