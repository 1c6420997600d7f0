// Tables for discovery, autoscaling, policy, coordination, admission and RBAC binding kinds.

import type { KubeObject } from '../types.js';
import type { TableConvertor } from './types.js';
import { ageCol, ageOf, col, int, nameCol, nameOf, wide } from './columns.js';

function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

function discoveryPorts(ports: any[]): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const p of ports) {
    if (list.length < max) {
      if (p?.port !== undefined && p?.port !== null) list.push(String(int(p.port)));
      else if (p?.name !== undefined && p?.name !== null) list.push(p.name);
      else list.push('*');
    } else if (list.length === max) {
      more = true;
    }
  }
  return listWithMore(list, more, ports.length, max);
}

function discoveryEndpoints(endpoints: any[]): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of endpoints) {
    for (const addr of ep?.addresses ?? []) {
      if (list.length < max) list.push(addr);
      else if (list.length === max) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, max);
}

export const endpointSliceTable: TableConvertor = {
  columns: [
    nameCol(),
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col(
      'Ports',
      'string',
      'ports specifies the list of network ports exposed by each endpoint in this slice.',
    ),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageCol(),
  ],
  row: (es, now) => [
    nameOf(es),
    es.addressType ?? '',
    discoveryPorts(es.ports ?? []),
    discoveryEndpoints(es.endpoints ?? []),
    ageOf(es, now),
  ],
};

// Quantities are stored in canonical form, so printing the stored string matches Quantity.String();
// a missing quantity prints as Go prints a nil *Quantity.
const qty = (q: unknown): string => (q === undefined || q === null ? '<nil>' : String(q));

/** autoscaling/v1 objects carry a single CPU target; express it as the v2 metric list. */
function hpaMetrics(hpa: KubeObject): { specs: any[]; statuses: any[] } {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  if (Array.isArray(spec.metrics) || !('targetCPUUtilizationPercentage' in spec)) {
    return { specs: spec.metrics ?? [], statuses: status.currentMetrics ?? [] };
  }
  const specs =
    spec.targetCPUUtilizationPercentage === null || spec.targetCPUUtilizationPercentage === undefined
      ? []
      : [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
            },
          },
        ];
  const cur = status.currentCPUUtilizationPercentage;
  const statuses =
    cur === null || cur === undefined
      ? []
      : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }];
  return { specs, statuses };
}

function formatHPAMetrics(specs: any[], statuses: any[]): string {
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  const max = 2;
  specs.forEach((spec, i) => {
    const st = statuses[i] ?? {};
    switch (spec?.type) {
      case 'External':
      case 'Object': {
        const src = spec.type === 'External' ? spec.external : spec.object;
        const cur = spec.type === 'External' ? st.external : st.object;
        const target = src?.target ?? {};
        if (target.averageValue !== undefined && target.averageValue !== null) {
          const current =
            cur && cur.current?.averageValue != null ? qty(cur.current.averageValue) : '<unknown>';
          list.push(`${current}/${qty(target.averageValue)} (avg)`);
        } else {
          const current = cur ? qty(cur.current?.value) : '<unknown>';
          list.push(`${current}/${qty(target.value)}`);
        }
        break;
      }
      case 'Pods': {
        const current = st.pods ? qty(st.pods.current?.averageValue) : '<unknown>';
        list.push(`${current}/${qty(spec.pods?.target?.averageValue)}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const cur = spec.type === 'Resource' ? st.resource : st.containerResource;
        const target = src?.target ?? {};
        const name = src?.name ?? '';
        if (target.averageValue !== undefined && target.averageValue !== null) {
          const current = cur ? qty(cur.current?.averageValue) : '<unknown>';
          list.push(`${name}: ${current}/${qty(target.averageValue)}`);
        } else {
          const util = cur?.current?.averageUtilization;
          const current = cur && util !== undefined && util !== null ? `${int(util)}%` : '<unknown>';
          const tu = target.averageUtilization;
          const tgt = tu !== undefined && tu !== null ? `${int(tu)}%` : '<auto>';
          list.push(`${name}: ${current}/${tgt}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

export const hpaTable: TableConvertor = {
  columns: [
    nameCol(),
    col(
      'Reference',
      'string',
      'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.',
    ),
    col(
      'Targets',
      'string',
      'metrics contains the specifications for which to use to calculate the desired replica count.',
    ),
    col(
      'MinPods',
      'string',
      'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.',
    ),
    col(
      'MaxPods',
      'string',
      'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.',
    ),
    col(
      'Replicas',
      'string',
      'currentReplicas is current number of replicas of pods managed by this autoscaler.',
    ),
    ageCol(),
  ],
  row(hpa, now) {
    const spec = hpa.spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    const { specs, statuses } = hpaMetrics(hpa);
    const min =
      spec.minReplicas === undefined || spec.minReplicas === null ? '<unset>' : String(int(spec.minReplicas));
    return [
      nameOf(hpa),
      `${ref.kind ?? ''}/${ref.name ?? ''}`,
      formatHPAMetrics(specs, statuses),
      min,
      int(spec.maxReplicas),
      int(hpa.status?.currentReplicas),
      ageOf(hpa, now),
    ];
  },
};

const intOrString = (v: unknown): string =>
  v === undefined || v === null ? 'N/A' : typeof v === 'number' ? String(int(v)) : String(v);

export const pdbTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageCol(),
  ],
  row: (pdb, now) => [
    nameOf(pdb),
    intOrString(pdb.spec?.minAvailable),
    intOrString(pdb.spec?.maxUnavailable),
    int(pdb.status?.disruptionsAllowed),
    ageOf(pdb, now),
  ],
};

export const leaseTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
    ageCol(),
  ],
  row: (lease, now) => [nameOf(lease), lease.spec?.holderIdentity ?? '', ageOf(lease, now)],
};

export const webhookConfigurationTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'),
    ageCol(),
  ],
  row: (cfg, now) => [nameOf(cfg), Array.isArray(cfg.webhooks) ? cfg.webhooks.length : 0, ageOf(cfg, now)],
};

/** rbac.SubjectsStrings: users, groups and namespace/name service accounts. */
function subjects(binding: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of binding.subjects ?? []) {
    if (s?.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s?.kind === 'User') users.push(s.name ?? '');
    else if (s?.kind === 'Group') groups.push(s.name ?? '');
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingTable(kind: string): TableConvertor {
  return {
    columns: [
      nameCol(),
      col(
        'Role',
        'string',
        'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.',
      ),
      ageCol(),
      wide('Users', `Users in the ${kind}`),
      wide('Groups', `Groups in the ${kind}`),
      wide('ServiceAccounts', `ServiceAccounts in the ${kind}`),
    ],
    row(b, now) {
      const ref = b.roleRef ?? {};
      return [nameOf(b), `${ref.kind ?? ''}/${ref.name ?? ''}`, ageOf(b, now), ...subjects(b)];
    },
  };
}

export const roleBindingTable = bindingTable('roleBinding');
export const clusterRoleBindingTable = bindingTable('clusterRoleBinding');
