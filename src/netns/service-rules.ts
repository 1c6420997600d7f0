// kube-proxy's iptables mode, for the cluster namespace: Services and EndpointSlices in, the nat
// table's MIZZEN- chains out (iptables-restore input). Pure, so the output is golden-tested.
import { createHash } from 'node:crypto';
import { parseIPv4 } from './addresses.js';
import { POD_GATEWAY } from './names.js';

export interface ServicePortLike {
  name?: string;
  protocol?: string;
  port: number;
  /** Set by the API server on NodePort and LoadBalancer services. */
  nodePort?: number;
}

export interface ServiceLike {
  metadata: { namespace?: string; name: string };
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    ports?: ServicePortLike[];
    sessionAffinity?: string;
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface EndpointLike {
  addresses: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
}

export interface EndpointSliceLike {
  metadata: { namespace?: string; name?: string; labels?: Record<string, string> };
  addressType?: string;
  endpoints?: EndpointLike[] | null;
  ports?: Array<{ name?: string | null; protocol?: string | null; port?: number | null }> | null;
}

export interface ServiceRulesOptions {
  /**
   * Source address given to a pod's connection to itself through its own service: the pod would
   * drop a packet whose source is its own address. Default: the pods' gateway, 169.254.1.1.
   */
  hairpinSource?: string;
  /** The packet mark bit that asks for that source rewrite. Default 0x4000, as kube-proxy. */
  hairpinMark?: number;
  /**
   * The addresses whose nodePorts lead to services, as kube-proxy's --nodeport-addresses. Default:
   * every local address of the namespace but loopback (its node address is the host link's end).
   */
  nodePortAddresses?: string[];
}

export const SERVICE_LABEL = 'kubernetes.io/service-name';

interface Backend {
  ip: string;
  port: number;
}

interface PortRules {
  key: string; // ns/name:port, as kube-proxy's ServicePortName
  protocol: string;
  port: number;
  clusterIPs: string[];
  externalIPs: string[]; // LoadBalancer ingress and spec.externalIPs
  nodePort?: number;
  backends: Backend[];
}

function isIPv4(text: string | undefined): text is string {
  if (!text) return false;
  try {
    parseIPv4(text);
    return true;
  } catch {
    return false;
  }
}

function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536;
}

function chainHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16).toUpperCase();
}

export function svcChainName(key: string, protocol: string): string {
  return `MIZZEN-SVC-${chainHash(`${key}/${protocol.toLowerCase()}`)}`;
}

export function sepChainName(key: string, protocol: string, b: Backend): string {
  return `MIZZEN-SEP-${chainHash(`${key}/${protocol.toLowerCase()}/${b.ip}:${b.port}`)}`;
}

/**
 * Ready endpoints; when none is ready, those still serving while terminating (as kube-proxy does, so a
 * rolling update's last pods keep answering). An endpoint's condition left unset counts as true.
 */
function backendsFor(port: ServicePortLike, protocol: string, slices: EndpointSliceLike[]): Backend[] {
  const ready = new Map<string, Backend>();
  const terminating = new Map<string, Backend>();
  for (const slice of slices) {
    if ((slice.addressType ?? 'IPv4') !== 'IPv4') continue;
    const sp = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === protocol,
    );
    if (!sp || typeof sp.port !== 'number') continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!isIPv4(ip)) continue;
      const b = { ip, port: sp.port };
      const c = ep.conditions ?? {};
      if (c.ready !== false) ready.set(`${ip}:${sp.port}`, b);
      else if (c.serving !== false && c.terminating === true) terminating.set(`${ip}:${sp.port}`, b);
    }
  }
  const chosen = ready.size ? ready : terminating;
  return [...chosen.values()].sort((a, b) => parseIPv4(a.ip) - parseIPv4(b.ip) || a.port - b.port);
}

function collect(services: ServiceLike[], slices: EndpointSliceLike[]): PortRules[] {
  const bySvc = new Map<string, EndpointSliceLike[]>();
  for (const s of slices) {
    const svcName = s.metadata.labels?.[SERVICE_LABEL];
    if (!svcName) continue;
    const k = `${s.metadata.namespace ?? 'default'}/${svcName}`;
    bySvc.set(k, [...(bySvc.get(k) ?? []), s]);
  }
  const out: PortRules[] = [];
  for (const svc of services) {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') continue;
    const id = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;
    const clusterIPs = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP]).filter(isIPv4);
    if (clusterIPs.length === 0) continue; // headless: DNS answers with the pods, no NAT
    const externalIPs = [
      ...(spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip) : []),
      ...(spec.externalIPs ?? []),
    ].filter(isIPv4);
    const hasNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    for (const port of spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      out.push({
        key: port.name ? `${id}:${port.name}` : id,
        protocol,
        port: port.port,
        clusterIPs,
        externalIPs: [...new Set(externalIPs)],
        ...(hasNodePorts && isPort(port.nodePort) ? { nodePort: port.nodePort } : {}),
        backends: backendsFor(port, protocol, bySvc.get(id) ?? []),
      });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.protocol.localeCompare(b.protocol)));
}

function probability(remaining: number): string {
  return (1 / remaining).toFixed(10);
}

/**
 * The nat table for the cluster namespace. Entry points are MIZZEN-SERVICES (jumped to from
 * PREROUTING and OUTPUT) and MIZZEN-POSTROUTING (from POSTROUTING); applyServiceRules adds those jumps.
 * A service port without endpoints gets no rule: its address stays unroutable, so clients fail fast.
 * NodePorts go through MIZZEN-NODEPORTS, jumped to last from MIZZEN-SERVICES for node addresses (as
 * kube-proxy's KUBE-NODEPORTS), so a cluster or LoadBalancer IP on the same port is matched first.
 */
export function serviceRules(
  services: ServiceLike[],
  endpointSlices: EndpointSliceLike[],
  opts: ServiceRulesOptions = {},
): string {
  const hairpinSource = opts.hairpinSource ?? POD_GATEWAY;
  parseIPv4(hairpinSource);
  const mark = `0x${(opts.hairpinMark ?? 0x4000).toString(16)}`;
  const chains = ['MIZZEN-SERVICES', 'MIZZEN-POSTROUTING', 'MIZZEN-MARK-HAIRPIN'];
  const rules: string[] = [
    `-A MIZZEN-MARK-HAIRPIN -j MARK --set-xmark ${mark}/${mark}`,
    `-A MIZZEN-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`,
    `-A MIZZEN-POSTROUTING -j MARK --set-xmark ${mark}/0x0`,
    `-A MIZZEN-POSTROUTING -m comment --comment "hairpin: a pod reaching itself through a service" -j SNAT --to-source ${hairpinSource}`,
  ];
  const nodePortAddresses = [...new Set(opts.nodePortAddresses ?? [])]
    .map((ip) => ({ ip, n: parseIPv4(ip) }))
    .sort((a, b) => a.n - b.n)
    .map((a) => a.ip);
  const portals: string[] = [];
  const nodePorts: string[] = [];
  const svcRules: string[] = [];
  for (const p of collect(services, endpointSlices)) {
    if (p.backends.length === 0) continue;
    const proto = p.protocol.toLowerCase();
    const svc = svcChainName(p.key, p.protocol);
    chains.push(svc);
    const match = `-p ${proto} -m ${proto} --dport ${p.port}`;
    for (const ip of p.clusterIPs)
      portals.push(
        `-A MIZZEN-SERVICES -d ${ip}/32 -m comment --comment "${p.key} cluster IP" ${match} -j ${svc}`,
      );
    for (const ip of p.externalIPs)
      portals.push(
        `-A MIZZEN-SERVICES -d ${ip}/32 -m comment --comment "${p.key} loadbalancer IP" ${match} -j ${svc}`,
      );
    if (p.nodePort !== undefined)
      nodePorts.push(
        `-A MIZZEN-NODEPORTS -m comment --comment "${p.key} node port" -p ${proto} -m ${proto} --dport ${p.nodePort} -j ${svc}`,
      );
    p.backends.forEach((b, i) => {
      const sep = sepChainName(p.key, p.protocol, b);
      chains.push(sep);
      const left = p.backends.length - i;
      const pick = left > 1 ? ` -m statistic --mode random --probability ${probability(left)}` : '';
      svcRules.push(`-A ${svc} -m comment --comment "${p.key} -> ${b.ip}:${b.port}"${pick} -j ${sep}`);
      svcRules.push(`-A ${sep} -s ${b.ip}/32 -m comment --comment "${p.key}" -j MIZZEN-MARK-HAIRPIN`);
      svcRules.push(
        `-A ${sep} -p ${proto} -m comment --comment "${p.key}" -m ${proto} -j DNAT --to-destination ${b.ip}:${b.port}`,
      );
    });
  }
  if (nodePorts.length) {
    chains.splice(3, 0, 'MIZZEN-NODEPORTS');
    const to = '-m comment --comment "node ports; the last rule of this chain" -j MIZZEN-NODEPORTS';
    if (opts.nodePortAddresses)
      for (const ip of nodePortAddresses) portals.push(`-A MIZZEN-SERVICES -d ${ip}/32 ${to}`);
    // Loopback is left out: a packet DNATed from 127.0.0.1 could not leave for a pod.
    else portals.push(`-A MIZZEN-SERVICES ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL ${to}`);
  }
  return [
    '*nat',
    ...[...new Set(chains)].map((c) => `:${c} - [0:0]`),
    ...rules,
    ...portals,
    ...nodePorts,
    ...svcRules,
    'COMMIT',
    '',
  ].join('\n');
}
