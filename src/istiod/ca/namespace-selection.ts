// Which namespaces get the `istio-ca-root-cert` ConfigMap: those meshConfig.discoverySelectors pick
// (any selector matching is enough; no selectors means every namespace), less the two namespaces
// upstream's namespace controller always skips.

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

export const ROOT_CERT_SKIPPED_NAMESPACES: readonly string[] = ['kube-public', 'kube-node-lease'];

/** Kubernetes LabelSelector semantics: every term must hold; an empty selector matches everything. */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelector,
): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(l[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator Kubernetes would reject selects nothing rather than everything.
        return false;
    }
  }
  return true;
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
