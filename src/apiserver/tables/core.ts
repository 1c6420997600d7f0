// Tables for core/v1 kinds (other than pods).

import type { KubeObject } from '../types.js';
import type { TableConvertor } from './types.js';
import { NAME_DOC, ageCol, ageOf, col, countKeys, int, nameCol, nameOf, wide } from './columns.js';
import { since } from './duration.js';
import { formatLabels } from '../selectors/index.js';

function serviceExternalIP(svc: KubeObject): string {
  const spec = svc.spec ?? {};
  const externalIPs: string[] = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      // The server prints "wide", so the load balancer list is never clipped.
      const set = new Set<string>();
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing?.ip) set.add(ing.ip);
        else if (ing?.hostname) set.add(ing.hostname);
      }
      const lb = [...set].sort();
      if (externalIPs.length) return [...lb, ...externalIPs].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function servicePorts(svc: KubeObject): string {
  const ports: any[] = svc.spec?.ports ?? [];
  const text = ports
    .map((p) => {
      const proto = p?.protocol ?? 'TCP';
      return p?.nodePort > 0 ? `${int(p.port)}:${int(p.nodePort)}/${proto}` : `${int(p?.port)}/${proto}`;
    })
    .join(',');
  return text || '<none>';
}

export const serviceTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col(
      'Cluster-IP',
      'string',
      'clusterIP is the IP address of the service and is usually assigned randomly.',
    ),
    col(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageCol(),
    wide('Selector', 'Route service traffic to pods with label keys and values matching this selector.'),
  ],
  row(svc, now) {
    const spec = svc.spec ?? {};
    const clusterIP = spec.clusterIP || spec.clusterIPs?.[0] || '<none>';
    return [
      nameOf(svc),
      spec.type ?? 'ClusterIP',
      clusterIP,
      serviceExternalIP(svc),
      servicePorts(svc),
      ageOf(svc, now),
      formatLabels(spec.selector),
    ];
  },
};

const joinHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** formatEndpoints: up to three address[:port] entries, then "+ N more...". */
function formatEndpoints(ep: KubeObject): string {
  const subsets: any[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a?.ip ?? '');
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a?.ip ?? '', int(p?.port)));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'),
    ageCol(),
  ],
  row: (ep, now) => [nameOf(ep), formatEndpoints(ep), ageOf(ep, now)],
};

export const configMapTable: TableConvertor = {
  columns: [nameCol(), col('Data', 'string', 'Data contains the configuration data.'), ageCol()],
  row: (cm, now) => [nameOf(cm), countKeys(cm.data) + countKeys(cm.binaryData), ageOf(cm, now)],
};

export const secretTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    col('Data', 'string', 'Data contains the secret data.'),
    ageCol(),
  ],
  row(s, now) {
    // stringData is folded into data on write upstream; count the union in case it was not.
    const keys = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
    return [nameOf(s), s.type ?? '', keys.size, ageOf(s, now)];
  },
};

export const serviceAccountTable: TableConvertor = {
  columns: [
    nameCol(),
    col(
      'Secrets',
      'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    ),
    ageCol(),
  ],
  row: (sa, now) => [nameOf(sa), Array.isArray(sa.secrets) ? sa.secrets.length : 0, ageOf(sa, now)],
};

export const namespaceTable: TableConvertor = {
  columns: [nameCol(), col('Status', 'string', 'The status of the namespace'), ageCol()],
  row: (ns, now) => [nameOf(ns), ns.status?.phase ?? '', ageOf(ns, now)],
};

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeStatus(node: KubeObject): string {
  let readyCond: any;
  for (const c of node.status?.conditions ?? []) if (c?.type === 'Ready') readyCond = c;
  const status: string[] = [];
  if (readyCond) status.push(readyCond.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: KubeObject, type: string): string {
  const a = (node.status?.addresses ?? []).find((x: any) => x?.type === type);
  return a ? a.address : '<none>';
}

export const nodeTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageCol(),
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    wide('Internal-IP', 'List of addresses reachable to the node.'),
    wide('External-IP', 'List of addresses reachable to the node.'),
    wide(
      'OS-Image',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
    ),
    wide(
      'Kernel-Version',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    ),
    wide(
      'Container-Runtime',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
    ),
  ],
  row(node, now) {
    const info = node.status?.nodeInfo ?? {};
    return [
      nameOf(node),
      nodeStatus(node),
      nodeRoles(node),
      ageOf(node, now),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

function eventSource(ev: KubeObject): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/** events.k8s.io/v1 objects share storage with core events; read them through the core field names. */
function asCoreEvent(ev: KubeObject): KubeObject {
  if (!String(ev.apiVersion ?? '').startsWith('events.k8s.io/')) return ev;
  return {
    ...ev,
    involvedObject: ev.regarding,
    message: ev.note,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    source: ev.deprecatedSource,
    reportingComponent: ev.reportingController,
  };
}

export const eventTable: TableConvertor = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    col('Object', 'string', 'The object that this event is about.'),
    wide(
      'Subobject',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
    ),
    wide('Source', 'The component reporting this event. Should be a short machine understandable string.'),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    wide(
      'First Seen',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
    ),
    wide('Count', 'The number of times this event has occurred.'),
    { ...wide('Name', NAME_DOC), format: 'name' },
  ],
  row(obj, now) {
    const ev = asCoreEvent(obj);
    let first = since(ev.firstTimestamp, now);
    if (!ev.firstTimestamp) first = since(ev.eventTime, now);
    let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
    let count = int(ev.count);
    if (ev.series) {
      last = since(ev.series.lastObservedTime, now);
      count = int(ev.series.count);
    } else if (count === 0) {
      count = 1; // singleton events written through the new API carry no count
    }
    const io = ev.involvedObject ?? {};
    const kind = String(io.kind ?? '').toLowerCase();
    const target = io.name ? `${kind}/${io.name}` : kind;
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      io.fieldPath ?? '',
      eventSource(ev),
      String(ev.message ?? '').trim(),
      first,
      count,
      nameOf(ev),
    ];
  },
};
