// Which webhooks a request must go to: configuration order, rules, namespaceSelector and
// objectSelector, following k8s.io/apiserver's webhook predicates.

import type { KubeObject } from '../types.js';
import { internalError, notFound, StatusError } from '../errors.js';
import { SelectorError, selectorIsEmpty, selectorMatches } from './labelselector.js';
import type {
  AdmissionAttributes,
  LabelSelector,
  NamespaceLabels,
  RuleWithOperations,
  WebhookRef,
  WebhookSpec,
} from './types.js';

// Upstream never sends its own admission configuration to webhooks, so a broken webhook cannot
// lock administrators out of fixing it.
const exemptKinds = new Set([
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
]);

export function isExemptFromWebhooks(attrs: AdmissionAttributes): boolean {
  return attrs.group === 'admissionregistration.k8s.io' && exemptKinds.has(attrs.kind);
}

/** All webhooks of the given configurations, configurations sorted by name, webhooks in list order. */
export function orderedWebhooks(configs: KubeObject[]): WebhookRef[] {
  const sorted = configs
    .map((c, i) => ({ c, i, name: String(c.metadata?.name ?? '') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.i - b.i));
  const out: WebhookRef[] = [];
  for (const { c, name } of sorted) {
    const hooks: WebhookSpec[] = Array.isArray(c.webhooks) ? c.webhooks : [];
    for (const webhook of hooks) out.push({ configurationName: name, webhook, index: out.length });
  }
  return out;
}

const isNamespaceObject = (attrs: AdmissionAttributes): boolean =>
  attrs.group === '' && attrs.resource === 'namespaces';

const exactOrWildcard = (items: string[] | undefined, requested: string): boolean =>
  (items ?? []).some((i) => i === '*' || i === requested);

function splitResource(entry: string): [string, string] {
  const slash = entry.indexOf('/');
  return slash < 0 ? [entry, ''] : [entry.slice(0, slash), entry.slice(slash + 1)];
}

function scopeMatches(rule: RuleWithOperations, attrs: AdmissionAttributes): boolean {
  const scope = rule.scope ?? '*';
  if (scope === '*') return true;
  // Namespace objects are cluster-scoped even though upstream reports their name as the namespace.
  const clusterScoped = isNamespaceObject(attrs) || !attrs.namespace;
  return scope === 'Cluster' ? clusterScoped : !clusterScoped;
}

export function ruleMatches(rule: RuleWithOperations, attrs: AdmissionAttributes): boolean {
  if (!scopeMatches(rule, attrs)) return false;
  if (!exactOrWildcard(rule.operations, attrs.operation)) return false;
  if (!exactOrWildcard(rule.apiGroups, attrs.group)) return false;
  if (!exactOrWildcard(rule.apiVersions, attrs.version)) return false;
  const sub = attrs.subresource ?? '';
  // "*" alone means every resource but no subresource; "*/*", "pods/*" and "*/status" reach subresources.
  return (rule.resources ?? []).some((entry) => {
    const [res, s] = splitResource(entry);
    return (res === '*' || res === attrs.resource) && (s === '*' || s === sub);
  });
}

function checkedMatch(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  try {
    return selectorMatches(sel, labels);
  } catch (e) {
    if (e instanceof SelectorError) throw internalError(e.message);
    throw e;
  }
}

function namespaceSelectorMatches(
  hook: WebhookSpec,
  attrs: AdmissionAttributes,
  namespaceLabels: NamespaceLabels,
): boolean {
  const nsObject = isNamespaceObject(attrs);
  if (!attrs.namespace && !nsObject) return true;
  if (selectorIsEmpty(hook.namespaceSelector)) return true;
  let labels: Record<string, string> | undefined;
  if (nsObject && !attrs.subresource && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE')) {
    // The namespace being written is not stored yet (or not in its new form): judge the new labels.
    labels = attrs.object?.metadata?.labels ?? {};
  } else {
    const nsName = nsObject ? attrs.namespace || attrs.name : (attrs.namespace as string);
    labels = namespaceLabels(nsName);
    if (labels === undefined && nsObject) labels = attrs.oldObject?.metadata?.labels;
    if (labels === undefined) throw notFound('namespaces', nsName);
  }
  return checkedMatch(hook.namespaceSelector, labels);
}

function objectSelectorMatches(hook: WebhookSpec, attrs: AdmissionAttributes): boolean {
  if (selectorIsEmpty(hook.objectSelector)) return true;
  const matchesObj = (o: KubeObject | undefined): boolean =>
    !!o && checkedMatch(hook.objectSelector, o.metadata?.labels ?? {});
  return matchesObj(attrs.object) || matchesObj(attrs.oldObject);
}

/**
 * Whether one webhook applies. matchPolicy Equivalent would also try other versions of the same
 * resource; every resource here is served in a single version, so it reduces to Exact.
 * matchConditions (CEL) are not evaluated: a webhook that has them is treated as matching.
 * Throws StatusError (404 for a missing namespace, 500 for an unusable selector).
 */
export function webhookMatches(
  hook: WebhookSpec,
  attrs: AdmissionAttributes,
  namespaceLabels: NamespaceLabels,
): boolean {
  if (isExemptFromWebhooks(attrs)) return false;
  if (!(hook.rules ?? []).some((r) => ruleMatches(r, attrs))) return false;
  if (!namespaceSelectorMatches(hook, attrs, namespaceLabels)) return false;
  return objectSelectorMatches(hook, attrs);
}

/** The webhooks of `configs` that apply to the request, in calling order. Throws only StatusError. */
export function matchingWebhooks(
  configs: KubeObject[],
  attrs: AdmissionAttributes,
  namespaceLabels: NamespaceLabels,
): WebhookRef[] {
  if (isExemptFromWebhooks(attrs)) return [];
  try {
    return orderedWebhooks(configs).filter((ref) => webhookMatches(ref.webhook, attrs, namespaceLabels));
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw internalError(e instanceof Error ? e.message : String(e));
  }
}
