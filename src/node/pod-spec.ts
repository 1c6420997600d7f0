// What a node agent derives from a pod's spec: its resolv.conf and hosts, the containers' env, probe ports.
import { resolveEnv, type PodFacts } from './env.js';

export type { PodFacts } from './env.js';

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: any }>;
  envFrom?: any[];
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: VolumeMount[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  subPathExpr?: string;
  readOnly?: boolean;
}

export interface Probe {
  httpGet?: {
    path?: string;
    port: number | string;
    host?: string;
    scheme?: 'HTTP' | 'HTTPS';
    httpHeaders?: Array<{ name: string; value: string }>;
  };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
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

/** The container's env from literal values and downward-API fields alone (no API objects). */
export function containerEnvOf(container: ContainerSpec, pod: PodFacts): Record<string, string> {
  const r = resolveEnv(container, { containers: [container] }, pod, {
    configMaps: new Map(),
    secrets: new Map(),
    serviceEnv: {},
  });
  return 'env' in r ? r.env : { HOSTNAME: pod.name };
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
