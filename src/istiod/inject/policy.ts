// Who gets a sidecar. Two layers, as upstream: the MutatingWebhookConfiguration's selectors decide which
// revision's webhook is called at all (`webhookSelects`, mirrored here for decisions made without the
// API server, e.g. tests and `check-inject`); inside the called webhook `injectRequired` applies istiod's
// own policy (hostNetwork, system namespaces, the inject label/annotation, never/always selectors, policy).

import { labelSelectorMatches } from '../labels.js';
import { INJECT_KEY, type InjectorConfig } from './types.js';

const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
const AUTO_EXCLUDED_NAMESPACES = new Set([...IGNORED_NAMESPACES, 'local-path-storage']);
const REV_LABEL = 'istio.io/rev';
const NS_INJECTION_LABEL = 'istio-injection';

export { labelSelectorMatches };

export interface InjectDecision {
  inject: boolean;
  reason: string;
}

export interface InjectRequiredInput {
  namespace: string;
  hostNetwork?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** istiod's in-webhook decision (upstream `injectRequired`). */
export function injectRequired(pod: InjectRequiredInput, config: InjectorConfig): InjectDecision {
  if (pod.hostNetwork) return { inject: false, reason: 'pod uses hostNetwork' };
  if (IGNORED_NAMESPACES.has(pod.namespace))
    return { inject: false, reason: `namespace ${pod.namespace} is never injected` };
  const labels = pod.labels ?? {};
  const annotations = pod.annotations ?? {};
  // The label wins over the legacy annotation of the same key.
  const explicit = Object.hasOwn(labels, INJECT_KEY) ? labels[INJECT_KEY] : annotations[INJECT_KEY];
  if (explicit !== undefined && explicit !== '') {
    const value = explicit.toLowerCase();
    if (value === 'true' || value === 'y' || value === 'yes' || value === 'on')
      return { inject: true, reason: `${INJECT_KEY}=${explicit}` };
    // Anything else counts as "do not inject" upstream, including typos.
    return { inject: false, reason: `${INJECT_KEY}=${explicit}` };
  }
  for (const sel of config.neverInjectSelector ?? [])
    if (labelSelectorMatches(sel, labels)) return { inject: false, reason: 'matches neverInjectSelector' };
  for (const sel of config.alwaysInjectSelector ?? [])
    if (labelSelectorMatches(sel, labels)) return { inject: true, reason: 'matches alwaysInjectSelector' };
  const policy = config.policy ?? 'enabled';
  return { inject: policy === 'enabled', reason: `policy ${policy}` };
}

export interface WebhookSelectOptions {
  /** The revision this webhook serves ('' = default) and the revision tags pointing at it. */
  revision: string;
  tags?: string[];
  /** `sidecarInjectorWebhook.enableNamespacesByDefault`. */
  enableNamespacesByDefault?: boolean;
}

/**
 * Whether the MutatingWebhookConfiguration entries of this revision (and its tags) select the pod: the
 * selector matrix of istio-core.md §1.1. The tag or revision `default` also owns the legacy entries
 * (`istio-injection=enabled`, pod `sidecar.istio.io/inject=true`).
 */
export function webhookSelects(
  namespace: string,
  namespaceLabels: Record<string, string>,
  podLabels: Record<string, string>,
  opts: WebhookSelectOptions,
): boolean {
  const names = new Set([opts.revision || 'default', ...(opts.tags ?? [])]);
  const nsRev = namespaceLabels[REV_LABEL];
  const nsInjection = namespaceLabels[NS_INJECTION_LABEL];
  const podInject = podLabels[INJECT_KEY];
  const podRev = podLabels[REV_LABEL];
  const optedOut = podInject === 'false';
  // rev.namespace.*
  if (nsRev !== undefined && names.has(nsRev) && nsInjection === undefined && !optedOut) return true;
  // rev.object.*
  if (
    nsRev === undefined &&
    nsInjection === undefined &&
    !optedOut &&
    podRev !== undefined &&
    names.has(podRev)
  )
    return true;
  if (names.has('default')) {
    // namespace.* and object.*
    if (nsInjection === 'enabled' && !optedOut) return true;
    if (nsRev === undefined && nsInjection === undefined && podInject === 'true' && podRev === undefined)
      return true;
    if (
      opts.enableNamespacesByDefault &&
      nsRev === undefined &&
      nsInjection === undefined &&
      !AUTO_EXCLUDED_NAMESPACES.has(namespace) &&
      podInject === undefined &&
      podRev === undefined
    )
      return true;
  }
  return false;
}

export interface ShouldInjectConfig extends InjectorConfig, WebhookSelectOptions {
  namespace: string;
  hostNetwork?: boolean;
}

/** The whole decision for one revision: its webhook is called, and istiod then agrees to inject. */
export function shouldInject(
  namespaceLabels: Record<string, string>,
  podLabels: Record<string, string>,
  podAnnotations: Record<string, string>,
  config: ShouldInjectConfig,
): InjectDecision {
  if (!webhookSelects(config.namespace, namespaceLabels, podLabels, config))
    return {
      inject: false,
      reason: `no injection webhook of revision ${config.revision || 'default'} selects the pod`,
    };
  return injectRequired(
    {
      namespace: config.namespace,
      hostNetwork: config.hostNetwork,
      labels: podLabels,
      annotations: podAnnotations,
    },
    config,
  );
}
