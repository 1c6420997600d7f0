// The kinds by name: constants for clients, generated CRDs and defaulting.
import { kindRef, rootField, storageVersion, toCrd, type KindDecl, type KindRef } from './crd.js';
import { defaultValue, type JSONSchema } from './dsl.js';
import { istioConfigKinds } from './istio-config.js';
import {
  istioCNIKind,
  istioKind,
  istioRevisionKind,
  istioRevisionTagKind,
  sailKinds,
  ztunnelKind,
} from './sail.js';

export type SailKindName = 'Istio' | 'IstioRevision' | 'IstioRevisionTag' | 'IstioCNI' | 'ZTunnel';

export const ISTIO: KindRef = kindRef(istioKind);
export const ISTIO_REVISION: KindRef = kindRef(istioRevisionKind);
export const ISTIO_REVISION_TAG: KindRef = kindRef(istioRevisionTagKind);
export const ISTIO_CNI: KindRef = kindRef(istioCNIKind);
export const ZTUNNEL: KindRef = kindRef(ztunnelKind);

/** Every Istio config kind by kind name (storage version). */
export const ISTIO_CONFIG_KINDS: Record<string, KindRef> = Object.fromEntries(
  istioConfigKinds.map((k) => [k.kind, kindRef(k)]),
);

const byName = new Map<string, KindDecl>([...sailKinds, ...istioConfigKinds].map((k) => [k.kind, k]));

// Fresh copies each call: callers (and API servers) may mutate what they are given.
export const sailCrds = (): JSONSchema[] => sailKinds.map((k) => structuredClone(toCrd(k)));
export const istioConfigCrds = (): JSONSchema[] => istioConfigKinds.map((k) => structuredClone(toCrd(k)));

/**
 * Applies the schema defaults of `kind` to `obj` (in place, and returned) as the API server does
 * on write; the version comes from obj.apiVersion, else the storage version.
 */
export function applyDefaults<T extends object>(kind: string, obj: T): T {
  const decl = byName.get(kind);
  if (!decl) throw new Error(`unknown kind ${kind}`);
  const apiVersion = (obj as { apiVersion?: string }).apiVersion;
  const version = decl.versions.find((v) => apiVersion === `${decl.group}/${v.name}`) ?? storageVersion(decl);
  return defaultValue(rootField(decl, version), obj);
}
