// Which namespaces get the `istio-ca-root-cert` ConfigMap: those meshConfig.discoverySelectors pick
// (any selector matching is enough; no selectors means every namespace), less the two namespaces
// upstream's namespace controller always skips.

import { labelSelectorMatches, type LabelSelector } from '../labels.js';

export type { LabelSelector, LabelSelectorRequirement } from '../labels.js';

export const ROOT_CERT_SKIPPED_NAMESPACES: readonly string[] = ['kube-public', 'kube-node-lease'];

/** Kubernetes LabelSelector semantics: every term must hold; an empty selector matches everything. */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelector,
): boolean {
  return labelSelectorMatches(selector, labels);
}

/** meshConfig.discoverySelectors: ORed label selectors; none means all namespaces. */
export function namespaceDiscovered(
  labels: Record<string, string> | undefined,
  discoverySelectors: LabelSelector[] | undefined,
): boolean {
  if (!discoverySelectors || discoverySelectors.length === 0) return true;
  return discoverySelectors.some((s) => matchesLabelSelector(labels, s));
}

export function wantsRootCert(
  namespace: { name: string; labels?: Record<string, string> },
  discoverySelectors: LabelSelector[] | undefined,
): boolean {
  if (ROOT_CERT_SKIPPED_NAMESPACES.includes(namespace.name)) return false;
  return namespaceDiscovered(namespace.labels, discoverySelectors);
}
