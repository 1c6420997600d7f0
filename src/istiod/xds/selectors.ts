// meshConfig.discoverySelectors: the mesh only sees namespaces some selector matches (an OR of
// label selectors); with no selectors every namespace is visible.
import type { LabelSelector, MeshSnapshot } from './model.js';

export function labelSelectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The namespaces selected, or undefined when every namespace is. */
export function selectedNamespaces(snapshot: MeshSnapshot): Set<string> | undefined {
  const selectors = snapshot.meshConfig?.discoverySelectors ?? [];
  if (selectors.length === 0) return undefined;
  const out = new Set<string>();
  for (const ns of snapshot.namespaces ?? []) {
    if (selectors.some((s) => labelSelectorMatches(s, ns.labels ?? {}))) out.add(ns.name);
  }
  return out;
}

/** The snapshot restricted to discovery-selected namespaces (services, endpoints and rules). */
export function applyDiscoverySelectors(snapshot: MeshSnapshot): MeshSnapshot {
  const keep = selectedNamespaces(snapshot);
  if (!keep) return snapshot;
  return {
    ...snapshot,
    services: snapshot.services.filter((s) => keep.has(s.namespace)),
    endpoints: snapshot.endpoints.filter((e) => keep.has(e.namespace)),
    destinationRules: snapshot.destinationRules?.filter((r) => keep.has(r.namespace)),
  };
}
