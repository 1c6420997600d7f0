import type { KubeObject, OwnerReference } from './types.js';

/** The label Sail's post-renderer puts on every object it applies. */
export const MANAGED_BY_LABEL = 'managed-by';
export const MANAGED_BY_VALUE = 'sail-operator';

/** Adds the operator's label and the owner reference (when the owner has a uid) to every object. */
export function finalizeObjects(objects: KubeObject[], owner: OwnerReference[] | undefined): KubeObject[] {
  return objects.map((o) => ({
    ...o,
    metadata: {
      ...o.metadata,
      labels: { ...(o.metadata.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      ...(owner ? { ownerReferences: owner } : {}),
    },
  }));
}
