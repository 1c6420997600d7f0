// The DaemonSet controller's decisions: which nodes should run a daemon pod, what to create and
// delete on each node, rolling updates within maxUnavailable/maxSurge, and status counts.
import { scaledValue } from './intstr.js';
import { effectiveTaints, nodeMatches, untoleratedTaint, type Toleration } from './placement.js';
import { isActive, isAvailable, isReady, isTerminating } from './pods.js';
import { REVISION_HASH_LABEL } from './revisions.js';

/** The tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(spec: any): Toleration[] {
  const extra: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec?.hostNetwork)
    extra.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const out = [...(spec?.tolerations ?? [])];
  for (const t of extra) if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
  return out;
}

export function nodeShouldRunDaemonPod(
  ds: any,
  node: any,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template?.spec ?? {};
  if (!nodeMatches(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tol = daemonTolerations(spec);
  const taints = effectiveTaints(node);
  if (untoleratedTaint(taints, tol, ['NoExecute'])) return { shouldRun: false, shouldContinueRunning: false };
  if (untoleratedTaint(taints, tol, ['NoSchedule'])) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The pod the DaemonSet creates for one node: pinned with node affinity, the scheduler binds it. */
export function daemonPodSpec(ds: any, nodeName: string): any {
  const spec = structuredClone(ds.spec.template.spec ?? {});
  spec.tolerations = daemonTolerations(spec);
  const terms = [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }];
  spec.affinity = {
    ...(spec.affinity ?? {}),
    nodeAffinity: {
      ...(spec.affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
    },
  };
  return spec;
}

/** Which node a daemon pod belongs to: its nodeName, or the node its affinity pins it to. */
export function podNodeName(p: any): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName;
  const terms =
    p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms)
    for (const f of t.matchFields ?? [])
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

export interface DaemonPlan {
  createOn: string[];
  delete: any[];
  status: any;
  recheckAfterMs?: number;
}

const created = (p: any) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;

export function planDaemonSet(
  ds: any,
  nodes: any[],
  pods: any[],
  hash: string,
  now: number,
  manage = true,
): DaemonPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const byNode = new Map<string, any[]>();
  for (const p of pods) {
    const n = podNodeName(p);
    if (!n) continue;
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const createOn: string[] = [];
  const del: any[] = [];
  const desiredNodes: string[] = [];
  let misscheduled = 0;
  const known = new Set(nodes.map((n) => n.metadata.name));
  for (const [name, ps] of byNode)
    if (!known.has(name)) for (const p of ps) if (!isTerminating(p)) del.push(p);
  const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const surgeAllowed =
    rolling && scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge, 1, true, 0) > 0;
  for (const node of nodes) {
    const name = node.metadata.name;
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(ds, node);
    const here = byNode.get(name) ?? [];
    const running = here.filter(isActive).sort((a, b) => created(a) - created(b));
    if (shouldRun) desiredNodes.push(name);
    else if (running.length > 0) misscheduled++;
    if (shouldContinueRunning) {
      for (const p of here) if (p.status?.phase === 'Failed' && !isTerminating(p)) del.push(p);
      if (shouldRun && running.length === 0) createOn.push(name);
      else if (running.length > 1) {
        // Keep the oldest; during a surge update keep the oldest updated pod as well.
        const keep = new Set([running[0]]);
        if (surgeAllowed) {
          const upd = running.find((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash);
          if (upd) keep.add(upd);
        }
        for (const p of running) if (!keep.has(p)) del.push(p);
      }
    } else for (const p of running) del.push(p);
  }
  if (!manage) createOn.length = 0;
  // Rolling update among the nodes that should run a pod.
  if (rolling && createOn.length === 0 && del.length === 0) {
    const desired = desiredNodes.length;
    const ru = ds.spec?.updateStrategy?.rollingUpdate ?? {};
    const maxSurge = scaledValue(ru.maxSurge, desired, true, 0);
    const maxUnavailable = scaledValue(ru.maxUnavailable, desired, true, 1) || (maxSurge === 0 ? 1 : 0);
    let unavailable = 0;
    const replace: any[] = [];
    const candidates: any[] = [];
    const surgeNodes: string[] = [];
    let surging = 0;
    for (const name of desiredNodes) {
      const running = (byNode.get(name) ?? []).filter(isActive);
      const newPod = running.find((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash);
      const oldPod = running.find((p) => p.metadata.labels?.[REVISION_HASH_LABEL] !== hash);
      if (!newPod && !oldPod) unavailable++;
      else if (newPod && oldPod) {
        surging++;
        if (isAvailable(newPod, minReady, now)) del.push(oldPod);
      } else if (newPod) {
        if (!isAvailable(newPod, minReady, now)) unavailable++;
      } else if (maxSurge > 0) {
        if (!isAvailable(oldPod, minReady, now)) createOn.push(name);
        else surgeNodes.push(name);
      } else if (!isAvailable(oldPod, minReady, now)) replace.push(oldPod);
      else candidates.push(oldPod);
    }
    if (maxSurge > 0) createOn.push(...surgeNodes.slice(0, Math.max(0, maxSurge - surging)));
    else {
      const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
      del.push(...replace, ...candidates.slice(0, room));
    }
  }
  // Status.
  let current = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let recheck: number | undefined;
  for (const name of desiredNodes) {
    const running = (byNode.get(name) ?? []).filter(isActive).sort((a, b) => created(a) - created(b));
    if (running.length === 0) continue;
    current++;
    const first = running[0];
    if (isReady(first)) {
      ready++;
      if (isAvailable(first, minReady, now)) available++;
      else {
        const since = Date.parse(
          first.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime,
        );
        recheck = Math.min(recheck ?? Infinity, since + minReady * 1000 - now + 50);
      }
    }
    if (running.some((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash)) updated++;
  }
  const status: any = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desiredNodes.length,
    numberReady: ready,
    observedGeneration: ds.metadata.generation ?? 1,
    updatedNumberScheduled: updated,
    numberAvailable: available,
  };
  if (desiredNodes.length - available > 0) status.numberUnavailable = desiredNodes.length - available;
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
  if (ds.status?.conditions?.length) status.conditions = ds.status.conditions;
  return { createOn, delete: [...new Set(del)], status, recheckAfterMs: recheck };
}
