// Whether a pod may run on a node: nodeSelector, required node affinity (label expressions and
// metadata.name fields) and taints against tolerations, as the scheduler's filters decide it.
import { mapMatches, nodeRequirementMatches } from './labels.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key === undefined || t.key === '') return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first taint with one of the effects that no toleration tolerates. */
export function untoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  effects: string[],
): Taint | undefined {
  return (taints ?? []).find(
    (taint) => effects.includes(taint.effect) && !(tolerations ?? []).some((t) => tolerates(t, taint)),
  );
}

/** nodeSelector plus requiredDuringSchedulingIgnoredDuringExecution node affinity. */
export function nodeMatches(podSpec: any, node: any): boolean {
  if (!mapMatches(podSpec?.nodeSelector, node.metadata.labels)) return false;
  const terms: any[] | undefined =
    podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((term) => {
    const exprs: any[] = term.matchExpressions ?? [];
    const fields: any[] = term.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((e) =>
        nodeRequirementMatches(
          e,
          Object.prototype.hasOwnProperty.call(labels, e.key) ? labels[e.key] : undefined,
        ),
      ) &&
      fields.every((f) =>
        nodeRequirementMatches(f, f.key === 'metadata.name' ? node.metadata.name : undefined),
      )
    );
  });
}

export const nodeReadyStatus = (node: any): string =>
  (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status ?? 'Unknown';

/**
 * The node's taints, plus the condition taints the node lifecycle controller would add if it has not
 * yet (TaintNodesByCondition), so a node that just stopped being Ready is never chosen in between.
 */
export function effectiveTaints(node: any): Taint[] {
  const taints: Taint[] = [...(node.spec?.taints ?? [])];
  const has = (key: string) => taints.some((t) => t.key === key && t.effect === 'NoSchedule');
  const ready = nodeReadyStatus(node);
  if (ready === 'False' && !has('node.kubernetes.io/not-ready'))
    taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  if (ready === 'Unknown' && !has('node.kubernetes.io/unreachable') && !has('node.kubernetes.io/not-ready'))
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' });
  if (node.spec?.unschedulable && !has('node.kubernetes.io/unschedulable'))
    taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  return taints;
}
