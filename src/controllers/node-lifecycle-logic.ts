// Node lifecycle decisions, free of I/O: a node whose kubelet has not renewed its Lease (nor posted
// status) within the grace period gets its conditions set to Unknown; NotReady and unreachable
// nodes carry the matching NoSchedule/NoExecute taints (TaintNodesByCondition, taint-based eviction).
import type { Taint } from './placement.js';
import { rfc3339 } from './pods.js';

export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';
const UNKNOWN_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** The last sign of life: the lease's renewTime or the Ready condition's heartbeat. */
export function lastHeartbeat(node: any, lease: any, firstSeen: number): number {
  const times = [firstSeen];
  const renew = Date.parse(lease?.spec?.renewTime ?? '');
  if (Number.isFinite(renew)) times.push(renew);
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const hb = Date.parse(ready?.lastHeartbeatTime ?? '');
  if (Number.isFinite(hb)) times.push(hb);
  return Math.max(...times);
}

export interface NodeVerdict {
  /** New conditions when they must change (all Unknown after a missed heartbeat). */
  conditions?: any[];
  taints?: Taint[];
  /** True when the node just became not ready: its pods are marked not ready. */
  markPodsNotReady: boolean;
  readyStatus: string;
  /** When to look again. */
  recheckAfterMs: number;
}

export function evaluateNode(
  node: any,
  lease: any,
  now: number,
  graceMs: number,
  firstSeen: number,
): NodeVerdict {
  const conds: any[] = node.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  const last = lastHeartbeat(node, lease, firstSeen);
  const stale = now - last > graceMs;
  let conditions: any[] | undefined;
  // A node that has not posted status yet is left alone until its grace period runs out.
  let readyStatus = ready?.status ?? 'Pending';
  let markPodsNotReady = false;
  if (stale) {
    const ts = rfc3339(now);
    const next = UNKNOWN_CONDITIONS.map((type) => {
      const cur = conds.find((c) => c.type === type);
      if (cur?.status === 'Unknown') return cur;
      return {
        type,
        status: 'Unknown',
        lastHeartbeatTime: cur?.lastHeartbeatTime ?? rfc3339(last),
        lastTransitionTime: ts,
        reason: cur ? 'NodeStatusUnknown' : 'NodeStatusNeverUpdated',
        message: cur ? 'Kubelet stopped posting node status.' : 'Kubelet never posted node status.',
      };
    });
    const others = conds.filter((c) => !UNKNOWN_CONDITIONS.includes(c.type));
    if (next.some((c, i) => c !== conds.find((x) => x.type === UNKNOWN_CONDITIONS[i]))) {
      conditions = [...next, ...others];
      if (readyStatus === 'True') markPodsNotReady = true;
    }
    readyStatus = 'Unknown';
  }
  const want: Taint[] = [];
  if (readyStatus === 'Unknown')
    want.push({ key: UNREACHABLE, effect: 'NoSchedule' }, { key: UNREACHABLE, effect: 'NoExecute' });
  else if (readyStatus === 'False')
    want.push({ key: NOT_READY, effect: 'NoSchedule' }, { key: NOT_READY, effect: 'NoExecute' });
  const current: Taint[] = node.spec?.taints ?? [];
  const ours = (t: Taint) => t.key === UNREACHABLE || t.key === NOT_READY;
  const kept = current.filter((t) => !ours(t) || want.some((w) => w.key === t.key && w.effect === t.effect));
  const added = want
    .filter((w) => !current.some((t) => t.key === w.key && t.effect === w.effect))
    .map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(now) } : w));
  const taints = kept.length !== current.length || added.length > 0 ? [...kept, ...added] : undefined;
  const recheckAfterMs = stale ? graceMs : Math.max(50, last + graceMs - now + 50);
  return { conditions, taints, markPodsNotReady, readyStatus, recheckAfterMs };
}

/** MarkPodsNotReady: the Ready condition turned False, the rest of the status kept. */
export function notReadyConditions(pod: any, now: number): any[] | undefined {
  const conds: any[] = pod.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  return conds.map((c) =>
    c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c,
  );
}
