// Parses the node a proxy sends in its first request: `<type>~<ip>~<pod>.<ns>~<ns>.svc.<suffix>` plus
// the metadata pilot-agent (or a gRPC bootstrap) fills from ISTIO_META_* variables.
import type { NodeMessage } from './ads-service.js';
import type { Proxy } from './model.js';
import { structToJson } from './proto.js';

export class NodeError extends Error {}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function stringMap(v: unknown): Record<string, string> {
  if (typeof v === 'string') {
    try {
      return stringMap(JSON.parse(v));
    } catch {
      return {};
    }
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Accepts the Struct as decoded off the wire or already as plain JSON. */
export function parseNode(node: NodeMessage | undefined): Proxy {
  const nodeId = node?.id ?? '';
  if (!nodeId) throw new NodeError('missing node information');
  const parts = nodeId.split('~');
  if (parts.length !== 4) throw new NodeError(`invalid node id ${JSON.stringify(nodeId)}: want 4 parts`);
  const [type, ip, id, domain] = parts;
  const rawMeta = node?.metadata ?? {};
  const metadata: Record<string, unknown> =
    rawMeta && typeof rawMeta === 'object' && 'fields' in rawMeta ? structToJson(rawMeta) : { ...rawMeta };
  const dot = id.indexOf('.');
  const podName = str(metadata.NAME) ?? (dot >= 0 ? id.slice(0, dot) : id);
  const namespace =
    str(metadata.NAMESPACE) ??
    (dot >= 0 ? id.slice(dot + 1) : undefined) ??
    domain.split('.')[0] ??
    'default';
  const instanceIps = str(metadata.INSTANCE_IPS)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const loc = node?.locality;
  return {
    nodeId,
    type,
    ipAddresses: instanceIps?.length ? instanceIps : [ip],
    id,
    podName,
    namespace,
    dnsDomain: domain,
    clusterId: str(metadata.CLUSTER_ID) ?? 'Kubernetes',
    istioVersion: str(metadata.ISTIO_VERSION),
    labels: stringMap(metadata.LABELS),
    serviceAccount: str(metadata.SERVICE_ACCOUNT),
    generator: str(metadata.GENERATOR),
    metadata,
    locality: loc ? { region: loc.region, zone: loc.zone, subZone: loc.sub_zone } : undefined,
  };
}
