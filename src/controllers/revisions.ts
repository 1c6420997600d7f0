// ControllerRevisions for DaemonSets and StatefulSets: the pod template snapshot as a strategic
// merge patch (what `kubectl rollout undo` applies back), named <owner>-<hash>, numbered in order.
import { canonicalJson, templateHash } from './hash.js';
import { ownerReference } from './pods.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';

export function revisionData(owner: any): any {
  return { spec: { template: { ...structuredClone(owner.spec.template), $patch: 'replace' } } };
}

export const sameData = (a: any, b: any): boolean => canonicalJson(a) === canonicalJson(b);

export function buildRevision(owner: any, revision: number, collisionCount = 0): any {
  const data = revisionData(owner);
  const hash = templateHash(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata.name.slice(0, 223)}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...(owner.spec.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
      ownerReferences: [ownerReference(owner)],
    },
    data,
    revision,
  };
}

export const maxRevisionNumber = (revs: any[]): number =>
  revs.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);

/** The revision whose data is the owner's current template. */
export function currentRevision(owner: any, revs: any[]): any {
  const data = revisionData(owner);
  return [...revs].sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0)).find((r) => sameData(r.data, data));
}

export const revisionHash = (rev: any): string =>
  rev.metadata.labels?.[REVISION_HASH_LABEL] ?? rev.metadata.name.split('-').pop();

/** Old revisions no live pod uses, beyond the history limit, oldest first. */
export function revisionsToPrune(revs: any[], current: any, liveHashes: Set<string>, limit: number): any[] {
  const candidates = revs
    .filter(
      (r) => r !== current && r.metadata.name !== current?.metadata.name && !liveHashes.has(revisionHash(r)),
    )
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  return candidates.slice(0, Math.max(0, candidates.length - limit));
}
