// Minimal input shapes: the lead unifies them with src/operator/api later, so only the fields read here appear.

/** Helm-style values: nested maps of scalars and lists. */
export type Values = Record<string, unknown>;

export interface ObjectMetaLike {
  name: string;
  uid?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
}

export type UpdateStrategyType = 'InPlace' | 'RevisionBased';

export interface IstioLike {
  metadata: ObjectMetaLike;
  spec: {
    version?: string;
    namespace?: string;
    profile?: string;
    values?: Values;
    updateStrategy?: { type?: UpdateStrategyType; inactiveRevisionDeletionGracePeriodSeconds?: number };
  };
}

export interface IstioRevisionLike {
  metadata: ObjectMetaLike;
  spec: { version: string; namespace: string; values: Values };
}

export interface IstioRevisionTagLike {
  metadata: ObjectMetaLike;
  spec: { targetRef: { kind: 'Istio' | 'IstioRevision'; name: string } };
}

export interface IstioCNILike {
  metadata: ObjectMetaLike;
  spec: { version?: string; namespace?: string; profile?: string; values?: Values };
}

export interface ZTunnelLike {
  metadata: ObjectMetaLike;
  spec: {
    version?: string;
    namespace?: string;
    values?: Values;
    targetRef?: { kind: 'Istio' | 'IstioRevision'; name: string };
  };
}

/** A rendered Kubernetes object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The platform the operator detected; `openshift` adds the platform profile and `global.platform`. */
export type Platform = 'kubernetes' | 'openshift';

/** A rejected input, surfaced by the controller as a ValidationError (no requeue). */
export class RenderValidationError extends Error {
  override name = 'RenderValidationError';
}
