// CustomResourceDefinition semantics: names accepted and the CRD established in the same write that
// creates it (clients use the new resource at once), stored versions tracked, and a finalizer that
// lets the server delete every custom resource before the CRD goes.
import type { KubeObject } from '../types.js';
import { defaultCrd } from './defaults.js';
import type { Strategy } from './resource.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

function establishedStatus(crd: KubeObject, now: string, oldStatus?: any): any {
  const storage = (crd.spec?.versions ?? []).find((v: any) => v.storage)?.name;
  const stored: string[] = [...(oldStatus?.storedVersions ?? [])];
  if (storage && !stored.includes(storage)) stored.push(storage);
  const names = crd.spec?.names ?? {};
  const cond = (type: string, reason: string, message: string) => {
    const prev = (oldStatus?.conditions ?? []).find((c: any) => c.type === type && c.status === 'True');
    return { type, status: 'True', lastTransitionTime: prev?.lastTransitionTime ?? now, reason, message };
  };
  return {
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: {
      plural: names.plural,
      singular: names.singular,
      kind: names.kind,
      listKind: names.listKind,
      ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      ...(names.categories ? { categories: names.categories } : {}),
    },
    storedVersions: stored,
  };
}

const nowText = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export const crdStrategy: Strategy = {
  defaults: defaultCrd,
  prepareCreate: (crd) => {
    crd.status = establishedStatus(crd, nowText());
    const f = new Set(crd.metadata.finalizers ?? []);
    f.add(CRD_CLEANUP_FINALIZER);
    crd.metadata.finalizers = [...f];
  },
  prepareUpdate: (crd, old) => {
    crd.status = establishedStatus(crd, nowText(), old.status);
    if (
      !old.metadata.deletionTimestamp &&
      !(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER) &&
      (old.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)
    ) {
      // Only the server removes the cleanup finalizer, and only once the CRD is being deleted.
      crd.metadata.finalizers = [...(crd.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER];
    }
  },
};
