// The scheduler's decisions, free of I/O: which nodes a pod fits (node selector and affinity,
// taints, unschedulable), the node it goes to (fewest pods of the same owner, then fewest pods),
// and upstream's failure message when none fits.
import { effectiveTaints, nodeMatches, untoleratedTaint } from './placement.js';
import { controllerRef } from './pods.js';

export const DEFAULT_SCHEDULER = 'default-scheduler';

export function wantsScheduling(p: any, schedulerName = DEFAULT_SCHEDULER): boolean {
  return (
    !p.spec?.nodeName &&
    (p.spec?.schedulerName ?? DEFAULT_SCHEDULER) === schedulerName &&
    !p.metadata.deletionTimestamp &&
    p.status?.phase !== 'Succeeded' &&
    p.status?.phase !== 'Failed' &&
    (p.spec?.schedulingGates ?? []).length === 0
  );
}

/** Why one node does not fit, in the words the scheduler's plugins use; undefined when it fits. */
export function unfitReason(p: any, node: any): string | undefined {
  if (node.metadata.deletionTimestamp) return 'node(s) were being deleted';
  if (!nodeMatches(p.spec, node)) return "node(s) didn't match Pod's node affinity/selector";
  const taints = effectiveTaints(node);
  const unsched = taints.find((t) => t.key === 'node.kubernetes.io/unschedulable');
  if (unsched && !untoleratedTaint([unsched], p.spec?.tolerations, ['NoSchedule'])) {
    /* tolerated */
  } else if (unsched) return 'node(s) were unschedulable';
  const taint = untoleratedTaint(
    taints.filter((t) => t.key !== 'node.kubernetes.io/unschedulable'),
    p.spec?.tolerations,
    ['NoSchedule', 'NoExecute'],
  );
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  return undefined;
}

export interface Decision {
  node?: string;
  /** Set when no node fits: "0/2 nodes are available: ...". */
  message?: string;
}

/** podsByNode: the pods already on (or assumed for) each node. */
export function schedule(p: any, nodes: any[], podsByNode: Map<string, any[]>): Decision {
  if (nodes.length === 0) return { message: 'no nodes available to schedule pods' };
  const reasons = new Map<string, number>();
  const fit: any[] = [];
  for (const n of nodes) {
    const r = unfitReason(p, n);
    if (r) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    else fit.push(n);
  }
  if (fit.length === 0) return { message: fitError(nodes.length, reasons) };
  const owner = controllerRef(p)?.uid;
  const score = (n: any) => {
    const pods = podsByNode.get(n.metadata.name) ?? [];
    const siblings = owner ? pods.filter((x) => controllerRef(x)?.uid === owner).length : 0;
    return [siblings, pods.length] as const;
  };
  fit.sort((a, b) => {
    const [sa, ta] = score(a);
    const [sb, tb] = score(b);
    return sa - sb || ta - tb || a.metadata.name.localeCompare(b.metadata.name);
  });
  return { node: fit[0].metadata.name };
}

export function fitError(total: number, reasons: Map<string, number>): string {
  const parts = [...reasons.entries()].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${total} nodes are available: ${parts.join(', ')}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
}
