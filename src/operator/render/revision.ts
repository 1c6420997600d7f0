import { getPath, isPlainObject, mergeAll, setPath, str } from './merge.js';
import { profileValues } from './profiles.js';
import { DEFAULT_VERSION, resolveVersion } from './versions.js';
import {
  RenderValidationError,
  type IstioLike,
  type IstioRevisionLike,
  type KubeObject,
  type OwnerReference,
  type Platform,
  type Values,
} from './types.js';

export const SAIL_API_VERSION = 'sailoperator.io/v1';
export const DEFAULT_ISTIO_NAMESPACE = 'istio-system';

export interface RenderOptions {
  /** Detected platform; `openshift` applies the openshift profile and forces `global.platform`. */
  platform?: Platform;
}

/**
 * The active revision's name. InPlace: the Istio's name. RevisionBased: `<name>-<spec.version>` with dots
 * as dashes, from the literal spec.version (an alias stays in the name, as upstream does today: patch
 * updates behind `vX.Y-latest` then happen in place).
 */
export function revisionNameFor(istio: IstioLike): string {
  if (istio.spec.updateStrategy?.type !== 'RevisionBased') return istio.metadata.name;
  const version = istio.spec.version || DEFAULT_VERSION;
  return `${istio.metadata.name}-${version.replaceAll('.', '-')}`;
}

/** `values.revision` for a revision name: empty for `default`, so the default-revision webhooks render. */
export const revisionValueFor = (revisionName: string): string =>
  revisionName === 'default' ? '' : revisionName;

/**
 * The values an Istio hands its revision, lowest precedence first: operator profiles, user values, the
 * platform (only if absent), then the forced keys (`revision`, `global.istioNamespace`, no
 * `defaultRevision`).
 */
export function istioRevisionValues(
  istio: IstioLike,
  revisionName: string,
  opts: RenderOptions = {},
): Values {
  const platform = opts.platform ?? 'kubernetes';
  const namespace = istio.spec.namespace || DEFAULT_ISTIO_NAMESPACE;
  const values = mergeAll(profileValues(istio.spec.profile, platform), istio.spec.values);
  if (platform !== 'kubernetes' && !str(values, 'global.platform'))
    setPath(values, 'global.platform', platform);
  values.revision = revisionValueFor(revisionName);
  setPath(values, 'global.istioNamespace', namespace);
  delete values.defaultRevision;
  return values;
}

export function ownerReferenceTo(
  kind: string,
  meta: { name: string; uid?: string },
): OwnerReference[] | undefined {
  if (!meta.uid) return undefined;
  return [
    {
      apiVersion: SAIL_API_VERSION,
      kind,
      name: meta.name,
      uid: meta.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

export interface IstioRevisionObject extends KubeObject, IstioRevisionLike {
  metadata: KubeObject['metadata'];
}

/** The IstioRevision an Istio wants active (version resolved to a concrete one). Throws on bad input. */
export function istioToRevision(istio: IstioLike, opts: RenderOptions = {}): IstioRevisionObject {
  if (istio.spec.namespace === '') throw new RenderValidationError('spec.namespace not set');
  const version = resolveVersion(istio.spec.version || DEFAULT_VERSION);
  const name = revisionNameFor(istio);
  const ownerReferences = ownerReferenceTo('Istio', istio.metadata);
  return {
    apiVersion: SAIL_API_VERSION,
    kind: 'IstioRevision',
    metadata: { name, ...(ownerReferences ? { ownerReferences } : {}) },
    spec: {
      version: version.name,
      namespace: istio.spec.namespace || DEFAULT_ISTIO_NAMESPACE,
      values: istioRevisionValues(istio, name, opts),
    },
  };
}

/** The IstioRevision controller's consistency checks; throws RenderValidationError. */
export function validateRevision(rev: IstioRevisionLike): void {
  const revision = str(rev.spec.values, 'revision');
  if (rev.metadata.name === 'default' && revision !== '') {
    throw new RenderValidationError(
      'spec.values.revision must be "" when the IstioRevision is named "default"',
    );
  }
  if (rev.metadata.name !== 'default' && revision !== rev.metadata.name) {
    throw new RenderValidationError(
      `spec.values.revision must match the IstioRevision name "${rev.metadata.name}"`,
    );
  }
  if (str(rev.spec.values, 'global.istioNamespace') !== rev.spec.namespace) {
    throw new RenderValidationError('spec.values.global.istioNamespace must match spec.namespace');
  }
  resolveVersion(rev.spec.version);
}

/** A revision's `-<rev>` suffix, empty for the default revision. */
export const revSuffix = (values: Values): string => {
  const rev = str(values, 'revision');
  return rev ? `-${rev}` : '';
};

/** The `istio.io/rev` label value: the revision, or `default`. */
export const revLabel = (values: Values): string => str(values, 'revision') || 'default';

/** True when the revision uses a remote control plane (`values.profile == remote`). */
export const isRemote = (values: Values): boolean => str(values, 'profile') === 'remote';

/** Which Istio-owned dependencies a revision needs to be healthy (upstream's dependency rules). */
export function revisionDependencies(values: Values): { cni: boolean; ztunnel: boolean } {
  const cniEnabled = getPath(values, 'pilot.cni.enabled');
  const openshift = str(values, 'global.platform') === 'openshift';
  const cni = openshift
    ? cniEnabled !== false && cniEnabled !== 'false'
    : cniEnabled === true || cniEnabled === 'true';
  const env = getPath(values, 'pilot.env');
  const ambientEnv = isPlainObject(env) && String(env.PILOT_ENABLE_AMBIENT) === 'true';
  return { cni, ztunnel: ambientEnv || str(values, 'profile') === 'ambient' };
}
