// The Sail Operator API (group sailoperator.io, reference §1–§2): spec, status, printer columns and
// names of Istio, IstioRevision, IstioRevisionTag, IstioCNI and ZTunnel, declared once.
import { conditions, observedGeneration, state, targetRef } from './common.js';
import { AGE, type KindDecl, type PrinterColumn } from './crd.js';
import { field, type Infer } from './dsl.js';
import {
  CONCRETE_VERSIONS,
  DEFAULT_VERSION,
  ISTIO_VERSIONS,
  PROFILES,
  ZTUNNEL_VERSIONS,
} from './versions.js';
import { cniValues, values, ztunnelValues } from './values.js';

export const SAIL_GROUP = 'sailoperator.io';

/** Condition types of the Sail kinds (reference §3.0–§3.8). */
export const ConditionType = {
  Reconciled: 'Reconciled',
  Ready: 'Ready',
  DependenciesHealthy: 'DependenciesHealthy',
  InUse: 'InUse',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Condition reasons (when a condition is True its reason is its type). */
export const ConditionReason = {
  ReconcileError: 'ReconcileError',
  NameAlreadyExists: 'NameAlreadyExists',
  RefNotFound: 'RefNotFound',
  ActiveRevisionNotFound: 'ActiveRevisionNotFound',
  FailedToGetActiveRevision: 'FailedToGetActiveRevision',
  IstiodNotReady: 'IstiodNotReady',
  RemoteIstiodNotReady: 'RemoteIstiodNotReady',
  ReadinessCheckFailed: 'ReadinessCheckFailed',
  DaemonSetNotReady: 'DaemonSetNotReady',
  IstioCNINotFound: 'IstioCNINotFound',
  IstioCNINotHealthy: 'IstioCNINotHealthy',
  ZTunnelNotFound: 'ZTunnelNotFound',
  ZTunnelNotHealthy: 'ZTunnelNotHealthy',
  DependencyCheckFailed: 'DependencyCheckFailed',
  ReferencedByWorkloads: 'ReferencedByWorkloads',
  NotReferencedByAnything: 'NotReferencedByAnything',
  UsageCheckFailed: 'UsageCheckFailed',
} as const;
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];

/** status.state when every condition in the state order is True. */
export const HEALTHY_STATE = 'Healthy';

/** The finalizer the operator puts on IstioRevision, IstioRevisionTag, IstioCNI and ZTunnel. */
export const SAIL_FINALIZER = 'sailoperator.io/sail-operator';
const CATEGORIES = ['istio-io'];

const col = (name: string, jsonPath: string, description: string): PrinterColumn => ({
  name,
  jsonPath,
  type: 'string',
  description,
});
const condCol = (name: string, type: string, description: string) =>
  col(name, `.status.conditions[?(@.type=="${type}")].status`, description);

const version = (versions: readonly string[], withDefault: boolean) =>
  field.string({
    enum: versions,
    ...(withDefault ? { default: DEFAULT_VERSION } : {}),
    description:
      'Defines the version of Istio to install. Must be one of the supported versions' +
      (withDefault
        ? ` (default ${DEFAULT_VERSION}); a vX.Y-latest alias resolves to the newest patch.`
        : '.'),
  });
const profile = (def?: (typeof PROFILES)[number]) =>
  field.string({
    enum: PROFILES,
    ...(def ? { default: def } : {}),
    description: "The built-in set of values applied on top of 'default' (on OpenShift 'openshift' also).",
  });
const namespace = (def: string | undefined, immutable: boolean, description: string) =>
  field.string({ ...(def ? { default: def } : {}), immutable, description });

const ISTIO_NAMESPACE_RULE = {
  rule: '!has(self.values) || !has(self.values.global) || !has(self.values.global.istioNamespace) || self.values.global.istioNamespace == self.__namespace__',
  message: 'spec.values.global.istioNamespace must match spec.namespace',
};

// ---- Istio ----
/** Used when updateStrategy.inactiveRevisionDeletionGracePeriodSeconds is unset (a code default upstream). */
export const DEFAULT_INACTIVE_REVISION_GRACE_SECONDS = 30;

export const updateStrategy = field.object(
  {
    type: field.string({
      enum: ['InPlace', 'RevisionBased'] as const,
      default: 'InPlace',
      description: 'How the control plane is updated when the version or values change.',
    }),
    inactiveRevisionDeletionGracePeriodSeconds: field.integer({
      format: 'int64',
      minimum: 0,
      description:
        'Seconds to wait before deleting a revision that is no longer in use (RevisionBased only); 30 when unset.',
    }),
    updateWorkloads: field.boolean({
      description: 'Whether workloads should be moved to the new revision (not acted on).',
    }),
  },
  { default: { type: 'InPlace' }, description: 'Defines how the control plane is updated.' },
);

export const istioSpec = field.object(
  {
    version: version(ISTIO_VERSIONS, true).required(),
    namespace: namespace(
      'istio-system',
      true,
      'Namespace the control plane components are installed in.',
    ).required(),
    profile: profile(),
    updateStrategy,
    values,
  },
  {
    default: { version: DEFAULT_VERSION, namespace: 'istio-system', updateStrategy: { type: 'InPlace' } },
    validations: [ISTIO_NAMESPACE_RULE],
    description: 'The desired state of the control plane.',
  },
);
export type IstioSpec = Infer<typeof istioSpec>;

export const istioStatus = field.object(
  {
    observedGeneration: observedGeneration(),
    conditions: conditions(),
    state: state(),
    activeRevisionName: field.string({ description: 'The name of the currently active revision.' }),
    revisions: field.object(
      {
        total: field
          .integer({ format: 'int32', description: 'Number of IstioRevisions of this Istio.' })
          .required(),
        ready: field.integer({ format: 'int32', description: 'Number of those that are ready.' }).required(),
        inUse: field
          .integer({ format: 'int32', description: 'Number of those in use by workloads.' })
          .required(),
      },
      { description: 'Counters over the IstioRevisions of this Istio (-1 when they could not be listed).' },
    ),
  },
  { description: 'The observed state of the control plane.' },
);
export type IstioStatus = Infer<typeof istioStatus>;

export const istioKind: KindDecl = {
  group: SAIL_GROUP,
  kind: 'Istio',
  plural: 'istios',
  singular: 'istio',
  scope: 'Cluster',
  categories: CATEGORIES,
  description: 'Represents an Istio control plane; the operator creates IstioRevisions from it.',
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      typeMeta: true,
      spec: istioSpec,
      status: istioStatus,
      columns: [
        col('Namespace', '.spec.namespace', 'The namespace of the control plane.'),
        col('Profile', '.spec.profile', 'The selected profile.'),
        col('Revisions', '.status.revisions.total', 'Number of IstioRevisions of this Istio.'),
        col('Ready', '.status.revisions.ready', 'Number of ready revisions.'),
        col('In use', '.status.revisions.inUse', 'Number of revisions in use by workloads.'),
        col('Active Revision', '.status.activeRevisionName', 'The active revision.'),
        col('Status', '.status.state', 'State of the active revision.'),
        col('Version', '.spec.version', 'The control plane version.'),
        AGE,
      ],
    },
  ],
};

// ---- IstioRevision ----
export const istioRevisionSpec = field.object(
  {
    version: version(CONCRETE_VERSIONS, false).required(),
    namespace: namespace(
      undefined,
      true,
      'Namespace the control plane components are installed in.',
    ).required(),
    values,
  },
  {
    validations: [
      {
        rule: 'self.values.global.istioNamespace == self.__namespace__',
        message: 'spec.values.global.istioNamespace must match spec.namespace',
      },
    ],
    description: 'The desired state of one control plane revision.',
  },
);
export type IstioRevisionSpec = Infer<typeof istioRevisionSpec>;

const basicStatus = field.object(
  { observedGeneration: observedGeneration(), conditions: conditions(), state: state() },
  { description: 'The observed state of the object.' },
);
export type BasicStatus = Infer<typeof basicStatus>;
export type IstioRevisionStatus = BasicStatus;

export const istioRevisionKind: KindDecl = {
  group: SAIL_GROUP,
  kind: 'IstioRevision',
  plural: 'istiorevisions',
  singular: 'istiorevision',
  scope: 'Cluster',
  shortNames: ['istiorev'],
  categories: CATEGORIES,
  description: 'One revision of an Istio control plane (an istiod deployment and its configuration).',
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      typeMeta: true,
      spec: istioRevisionSpec,
      status: basicStatus,
      validations: [
        {
          rule: "self.metadata.name == 'default' ? (!has(self.spec.values.revision) || size(self.spec.values.revision) == 0) : self.spec.values.revision == self.metadata.name",
          message: "spec.values.revision must match metadata.name or be empty when the name is 'default'",
        },
      ],
      columns: [
        col('Namespace', '.spec.namespace', 'The namespace of the control plane.'),
        col('Profile', '.spec.values.profile', 'The chart profile.'),
        condCol('Ready', 'Ready', 'Whether istiod is ready.'),
        col('Status', '.status.state', 'The current state.'),
        condCol('In use', 'InUse', 'Whether workloads use this revision.'),
        col('Version', '.spec.version', 'The control plane version.'),
        AGE,
      ],
    },
  ],
};

// ---- IstioRevisionTag ----
export const istioRevisionTagSpec = field.object(
  { targetRef: targetRef('The Istio or IstioRevision this tag points to.').required() },
  { description: 'The desired state of the tag.' },
);
export type IstioRevisionTagSpec = Infer<typeof istioRevisionTagSpec>;

export const istioRevisionTagStatus = field.object(
  {
    observedGeneration: observedGeneration(),
    conditions: conditions(),
    state: state(),
    istioRevision: field
      .string({ description: 'The IstioRevision the tag currently resolves to.' })
      .required(),
    istiodNamespace: field.string({ description: 'Namespace of that revision.' }).required(),
  },
  { description: 'The observed state of the tag.' },
);
export type IstioRevisionTagStatus = Infer<typeof istioRevisionTagStatus>;

export const istioRevisionTagKind: KindDecl = {
  group: SAIL_GROUP,
  kind: 'IstioRevisionTag',
  plural: 'istiorevisiontags',
  singular: 'istiorevisiontag',
  scope: 'Cluster',
  shortNames: ['istiorevtag'],
  categories: CATEGORIES,
  description: 'A stable name (tag) for a revision of a control plane.',
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      typeMeta: true,
      spec: istioRevisionTagSpec,
      status: istioRevisionTagStatus,
      columns: [
        col('Status', '.status.state', 'The current state.'),
        condCol('In use', 'InUse', 'Whether workloads use this tag.'),
        col('Revision', '.status.istioRevision', 'The IstioRevision the tag points to.'),
        AGE,
      ],
    },
  ],
};

// ---- IstioCNI ----
const SINGLETON = { rule: "self.metadata.name == 'default'", message: "metadata.name must be 'default'" };

export const istioCNISpec = field.object(
  {
    version: version(ISTIO_VERSIONS, true).required(),
    profile: profile(),
    namespace: namespace('istio-cni', true, 'Namespace of the istio-cni-node DaemonSet.').required(),
    values: cniValues,
  },
  {
    default: { version: DEFAULT_VERSION, namespace: 'istio-cni' },
    description: 'The desired state of Istio CNI.',
  },
);
export type IstioCNISpec = Infer<typeof istioCNISpec>;
export type IstioCNIStatus = BasicStatus;

export const istioCNIKind: KindDecl = {
  group: SAIL_GROUP,
  kind: 'IstioCNI',
  plural: 'istiocnis',
  singular: 'istiocni',
  scope: 'Cluster',
  categories: CATEGORIES,
  description: 'The Istio CNI node agent (a singleton named default).',
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      typeMeta: true,
      spec: istioCNISpec,
      status: basicStatus,
      validations: [SINGLETON],
      columns: [
        col('Namespace', '.spec.namespace', 'The namespace of the istio-cni-node DaemonSet.'),
        col('Profile', '.spec.profile', 'The selected profile.'),
        condCol('Ready', 'Ready', 'Whether the CNI DaemonSet is ready.'),
        col('Status', '.status.state', 'The current state.'),
        col('Version', '.spec.version', 'The Istio CNI version.'),
        AGE,
      ],
    },
  ],
};

// ---- ZTunnel ----
export const ztunnelSpec = field.object(
  {
    version: version(ZTUNNEL_VERSIONS, true).required(),
    namespace: namespace('ztunnel', false, 'Namespace of the ztunnel DaemonSet.').required(),
    values: ztunnelValues,
    targetRef: targetRef(
      'The Istio or IstioRevision whose values ztunnel follows (an Istio means its active revision).',
    ),
  },
  {
    default: { version: DEFAULT_VERSION, namespace: 'ztunnel' },
    description: 'The desired state of ztunnel.',
  },
);
export type ZTunnelSpec = Infer<typeof ztunnelSpec>;

export const ztunnelSpecV1alpha1 = field.object(
  {
    version: version(ZTUNNEL_VERSIONS, true).required(),
    profile: profile('ambient'),
    namespace: namespace('ztunnel', false, 'Namespace of the ztunnel DaemonSet.').required(),
    values: ztunnelValues,
  },
  {
    default: { version: DEFAULT_VERSION, namespace: 'ztunnel', profile: 'ambient' },
    description: 'The desired state of ztunnel.',
  },
);
export type ZTunnelSpecV1alpha1 = Infer<typeof ztunnelSpecV1alpha1>;

export const ztunnelStatus = field.object(
  {
    observedGeneration: observedGeneration(),
    conditions: conditions(),
    state: state(),
    istioRevision: field.string({ description: 'The IstioRevision targetRef resolves to.' }),
  },
  { description: 'The observed state of ztunnel.' },
);
export type ZTunnelStatus = Infer<typeof ztunnelStatus>;

export const ztunnelKind: KindDecl = {
  group: SAIL_GROUP,
  kind: 'ZTunnel',
  plural: 'ztunnels',
  singular: 'ztunnel',
  scope: 'Cluster',
  categories: CATEGORIES,
  description: 'The ambient mode node proxy (a singleton named default).',
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      typeMeta: true,
      spec: ztunnelSpec,
      status: ztunnelStatus,
      validations: [SINGLETON],
      columns: [
        col('Namespace', '.spec.namespace', 'The namespace of the ztunnel DaemonSet.'),
        condCol('Ready', 'Ready', 'Whether the ztunnel DaemonSet is ready.'),
        col('Status', '.status.state', 'The current state.'),
        col('Version', '.spec.version', 'The ztunnel version.'),
        col('Revision', '.status.istioRevision', 'The referenced IstioRevision.'),
        AGE,
      ],
    },
    {
      name: 'v1alpha1',
      served: true,
      storage: false,
      deprecated: true,
      typeMeta: true,
      spec: ztunnelSpecV1alpha1,
      status: basicStatus,
      validations: [SINGLETON],
      columns: [
        col('Namespace', '.spec.namespace', 'The namespace of the ztunnel DaemonSet.'),
        col('Profile', '.spec.values.profile', 'The chart profile.'),
        condCol('Ready', 'Ready', 'Whether the ztunnel DaemonSet is ready.'),
        col('Status', '.status.state', 'The current state.'),
        col('Version', '.spec.version', 'The ztunnel version.'),
        AGE,
      ],
    },
  ],
};

export const sailKinds: KindDecl[] = [
  istioKind,
  istioRevisionKind,
  istioRevisionTagKind,
  istioCNIKind,
  ztunnelKind,
];
