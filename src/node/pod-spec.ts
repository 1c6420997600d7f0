// What a node agent derives from a pod's spec: its resolv.conf, the containers' env, readiness probes.

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
  readinessProbe?: Probe;
}

export interface Probe {
  httpGet?: { path?: string; port: number | string; host?: string };
  tcpSocket?: { port: number | string; host?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
}

export interface PodFacts {
  name: string;
  namespace: string;
  uid: string;
  podIP: string;
  nodeName: string;
  serviceAccountName: string;
  hostIP: string;
}

export function resolvConf(namespace: string, nameserver = '10.96.0.10'): string {
  return [
    `nameserver ${nameserver}`,
    `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local`,
    'options ndots:5',
    '',
  ].join('\n');
}

export function hostsFile(pod: PodFacts): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    `${pod.podIP}\t${pod.name}`,
    '',
  ].join('\n');
}

const FIELD_PATHS: Record<string, (p: PodFacts) => string> = {
  'metadata.name': (p) => p.name,
  'metadata.namespace': (p) => p.namespace,
  'metadata.uid': (p) => p.uid,
  'status.podIP': (p) => p.podIP,
  'status.hostIP': (p) => p.hostIP,
  'spec.nodeName': (p) => p.nodeName,
  'spec.serviceAccountName': (p) => p.serviceAccountName,
};

/** The container's env as the runtime gets it: HOSTNAME, then literal values and downward-API fields. */
export function containerEnvOf(container: ContainerSpec, pod: PodFacts): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: pod.name };
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = expand(e.value, env);
    else if (e.valueFrom?.fieldRef) {
      const get = FIELD_PATHS[e.valueFrom.fieldRef.fieldPath];
      if (get) env[e.name] = get(pod);
    } else env[e.name] = '';
  }
  return env;
}

// $(VAR) refers to a variable defined earlier in the list; $$ escapes; unknown references stay as written.
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : name !== undefined && env[name] !== undefined ? env[name]! : m,
  );
}

/** A named container port resolves through the container's ports. */
export function probePort(
  port: number | string,
  ports: Array<{ name?: string; containerPort: number }> = [],
): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = ports.find((x) => x.name === port);
  if (!p) throw new Error(`probe port ${port} is not a named port of the container`);
  return p.containerPort;
}
