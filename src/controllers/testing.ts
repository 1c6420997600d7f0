// Builders for the controllers' unit tests: small objects with only the fields the logic reads.
let uid = 0;
const T0 = Date.parse('2025-01-01T00:00:00Z');
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
export const T = (s: number): number => T0 + s * 1000;

export function pod(
  name: string,
  o: {
    node?: string;
    ready?: boolean;
    readySince?: number;
    phase?: string;
    created?: number;
    labels?: Record<string, string>;
    owner?: any;
    ip?: string;
    deleting?: boolean;
    restarts?: number;
    ports?: any[];
  } = {},
): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}-${uid++}`,
      labels: o.labels ?? { app: 'x' },
      creationTimestamp: at(o.created ?? 0),
      ...(o.owner ? { ownerReferences: [{ ...o.owner, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: at(100) } : {}),
    },
    spec: {
      ...(o.node ? { nodeName: o.node } : {}),
      containers: [{ name: 'c', image: 'i', ports: o.ports ?? [] }],
    },
    status: {
      phase: o.phase ?? (o.ready ? 'Running' : 'Pending'),
      ...(o.ip ? { podIP: o.ip } : {}),
      conditions:
        o.ready === undefined
          ? []
          : [
              {
                type: 'Ready',
                status: o.ready ? 'True' : 'False',
                lastTransitionTime: at(o.readySince ?? 0),
              },
            ],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

export function node(
  name: string,
  o: { ready?: string; labels?: Record<string, string>; taints?: any[]; unschedulable?: boolean } = {},
): any {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: [{ type: 'Ready', status: o.ready ?? 'True', lastHeartbeatTime: at(0) }] },
  };
}
