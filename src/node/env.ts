// A container's environment as kubelet builds it: envFrom (ConfigMaps and Secrets, with prefix), then
// env (literal values with $(VAR) expansion, ConfigMap/Secret keys, downward-API fields and resources),
// then the Service link variables the pod's namespace provides. Resolution is pure over objects fetched
// beforehand (fetchEnvInputs), so the rules are testable without an API server.
import type { KubeClient } from '../kube/index.js';
import { bytesInDivisor, cpuInDivisor } from './quantity.js';

type Obj = any;

export interface PodFacts {
  name: string;
  namespace: string;
  uid: string;
  podIP: string;
  nodeName: string;
  serviceAccountName: string;
  hostIP: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The node's allocatable resources: the default for a resourceFieldRef on limits the container does not set. */
export const DEFAULT_ALLOCATABLE: Readonly<Record<string, string>> = {
  cpu: '4',
  memory: '8Gi',
  'ephemeral-storage': '100Gi',
};

export interface EnvInputs {
  /** name → object, undefined for one that does not exist. */
  configMaps: Map<string, Obj | undefined>;
  secrets: Map<string, Obj | undefined>;
  /** Service link variables (serviceEnvVars). */
  serviceEnv: Record<string, string>;
  allocatable?: Readonly<Record<string, string>>;
}

export type EnvResult = { env: Record<string, string> } | { error: string };

/** metadata.labels['a'] and metadata.annotations['a'] as kubelet's fieldpath package splits them. */
function subscript(path: string): { field: string; key: string } | undefined {
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(path);
  return m ? { field: m[1]!, key: m[2]! } : undefined;
}

/** A downward-API fieldRef's value; undefined for a path the downward API does not support. */
export function fieldPathValue(path: string, pod: PodFacts): string | undefined {
  const sub = subscript(path);
  if (sub) {
    const map = sub.field === 'metadata.labels' ? pod.labels : pod.annotations;
    return map?.[sub.key] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'metadata.uid':
      return pod.uid;
    case 'metadata.labels':
      return formatMap(pod.labels ?? {});
    case 'metadata.annotations':
      return formatMap(pod.annotations ?? {});
    case 'spec.nodeName':
      return pod.nodeName;
    case 'spec.serviceAccountName':
      return pod.serviceAccountName;
    case 'status.hostIP':
    case 'status.hostIPs':
      return pod.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return pod.podIP;
    default:
      return undefined;
  }
}

/** The downward API's map format: `key="value"` lines sorted by key, values quoted as Go's %q does. */
export function formatMap(m: Record<string, string>): string {
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${goQuote(m[k]!)}`)
    .join('\n');
}

function goQuote(s: string): string {
  const esc: Record<string, string> = {
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
    '\\': '\\\\',
    '"': '\\"',
  };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (esc[ch]) out += esc[ch];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

export interface ResourceFieldRef {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

/**
 * A resourceFieldRef's value for a container of the pod: limits default to the node's allocatable
 * (kubelet's MergeContainerResourceLimits), requests to the limits the API server would have copied.
 */
export function resourceFieldValue(
  ref: ResourceFieldRef,
  podSpec: Obj,
  defaultContainer: string | undefined,
  allocatable: Readonly<Record<string, string>> = DEFAULT_ALLOCATABLE,
): string {
  const name = ref.containerName || defaultContainer;
  const all = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
  const c = all.find((x: Obj) => x.name === name);
  if (!c) throw new Error(`container ${name ?? ''} not found in the pod`);
  const m = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(ref.resource);
  if (!m) throw new Error(`unsupported container resource : ${ref.resource}`);
  const [, kind, res] = m as unknown as [string, 'limits' | 'requests', string];
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const value =
    kind === 'limits' ? (limits[res] ?? allocatable[res] ?? '0') : (requests[res] ?? limits[res] ?? '0');
  const divisor = ref.divisor ?? '1';
  return res === 'cpu' ? cpuInDivisor(value, divisor) : bytesInDivisor(value, divisor);
}

/** The ConfigMaps and Secrets a container's env and envFrom name. */
export function envReferences(container: Obj): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const f of container.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

/** A Secret's data as text, and a ConfigMap's data and binaryData. */
export function secretData(secret: Obj): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(secret?.data ?? {})) out[k] = Buffer.from(String(v), 'base64');
  // stringData is folded into data on write; kept here for objects that were not.
  for (const [k, v] of Object.entries(secret?.stringData ?? {})) out[k] ??= Buffer.from(String(v));
  return out;
}

export function configMapData(cm: Obj): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm?.data ?? {})) out[k] = Buffer.from(String(v));
  for (const [k, v] of Object.entries(cm?.binaryData ?? {})) out[k] = Buffer.from(String(v), 'base64');
  return out;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The container's env as the runtime gets it; an error is what kubelet reports as CreateContainerConfigError. */
export function resolveEnv(container: Obj, podSpec: Obj, pod: PodFacts, inputs: EnvInputs): EnvResult {
  const env: Record<string, string> = { HOSTNAME: pod.name };
  const ns = pod.namespace;
  for (const f of container.envFrom ?? []) {
    const prefix: string = f.prefix ?? '';
    let data: Record<string, Buffer>;
    if (f.configMapRef) {
      const cm = inputs.configMaps.get(f.configMapRef.name);
      if (!cm) {
        if (f.configMapRef.optional) continue;
        return { error: `configmap "${f.configMapRef.name}" not found` };
      }
      data = configMapData(cm);
    } else if (f.secretRef) {
      const s = inputs.secrets.get(f.secretRef.name);
      if (!s) {
        if (f.secretRef.optional) continue;
        return { error: `secret "${f.secretRef.name}" not found` };
      }
      data = secretData(s);
    } else continue;
    // Keys that are not valid variable names are skipped (kubelet records an event).
    for (const [k, v] of Object.entries(data)) if (ENV_NAME.test(prefix + k)) env[prefix + k] = v.toString();
  }
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env[e.name] = expandVars(e.value ?? '', env, inputs.serviceEnv);
      continue;
    }
    if (from.fieldRef) {
      const v = fieldPathValue(from.fieldRef.fieldPath, pod);
      if (v === undefined) return { error: `unsupported fieldPath: ${from.fieldRef.fieldPath}` };
      env[e.name] = v;
    } else if (from.resourceFieldRef) {
      try {
        env[e.name] = resourceFieldValue(from.resourceFieldRef, podSpec, container.name, inputs.allocatable);
      } catch (err) {
        return { error: (err as Error).message };
      }
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = inputs.configMaps.get(ref.name);
      if (!cm) {
        if (ref.optional) continue;
        return { error: `configmap "${ref.name}" not found` };
      }
      const v = configMapData(cm)[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        return { error: `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` };
      }
      env[e.name] = v.toString();
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const s = inputs.secrets.get(ref.name);
      if (!s) {
        if (ref.optional) continue;
        return { error: `secret "${ref.name}" not found` };
      }
      const v = secretData(s)[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        return { error: `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` };
      }
      env[e.name] = v.toString();
    }
  }
  for (const [k, v] of Object.entries(inputs.serviceEnv)) if (!(k in env)) env[k] = v;
  return { env };
}

/**
 * $(VAR) refers to a variable defined earlier (or a Service link variable); $$ escapes; unknown
 * references stay as written. Also used for command, args and subPathExpr.
 */
export function expandVars(value: string, ...maps: Array<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    for (const map of maps) if (name !== undefined && map[name] !== undefined) return map[name]!;
    return m;
  });
}

const MASTER_NAMESPACE = 'default';
const MASTER_SERVICE = 'kubernetes';

/**
 * `<NAME>_SERVICE_HOST`, `_SERVICE_PORT[_<port>]` and the Docker link variables for the Services in the
 * pod's namespace (unless enableServiceLinks is false) and always for `kubernetes` in `default`.
 */
export function serviceEnvVars(
  services: Obj[],
  namespace: string,
  enableServiceLinks = true,
): Record<string, string> {
  const chosen = new Map<string, Obj>();
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const name: string = s.metadata.name;
    if (s.metadata.namespace === MASTER_NAMESPACE && name === MASTER_SERVICE) {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (s.metadata.namespace === namespace && enableServiceLinks) chosen.set(name, s);
  }
  const env: Record<string, string> = {};
  for (const s of chosen.values()) {
    const ports: Obj[] = s.spec.ports ?? [];
    if (ports.length === 0) continue;
    const prefix = envName(s.metadata.name);
    const ip: string = s.spec.clusterIP;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    env[`${prefix}_SERVICE_HOST`] = ip;
    env[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    ports.forEach((p, i) => {
      const proto = String(p.protocol ?? 'TCP');
      const url = `${proto.toLowerCase()}://${host}:${p.port}`;
      if (i === 0) env[`${prefix}_PORT`] = url;
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      env[pp] = url;
      env[`${pp}_PROTO`] = proto.toLowerCase();
      env[`${pp}_PORT`] = String(p.port);
      env[`${pp}_ADDR`] = ip;
    });
  }
  return env;
}

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

/** The `kubernetes` Service as the embedded cluster serves it, for when the API has none. */
export const FALLBACK_KUBERNETES_SERVICE = {
  metadata: { name: MASTER_SERVICE, namespace: MASTER_NAMESPACE },
  spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
};

/** GETs what resolveEnv needs: the named ConfigMaps and Secrets, and the Services for the link variables. */
export async function fetchEnvInputs(
  client: KubeClient,
  namespace: string,
  container: Obj,
  enableServiceLinks: boolean,
  allocatable?: Readonly<Record<string, string>>,
): Promise<EnvInputs> {
  const refs = envReferences(container);
  const get = async (plural: string, names: Set<string>) =>
    new Map(
      await Promise.all(
        [...names].map(
          async (n) =>
            [n, await client.find(`/api/v1/namespaces/${namespace}/${plural}/${encodeURIComponent(n)}`)] as [
              string,
              Obj,
            ],
        ),
      ),
    );
  const [configMaps, secrets, local, master] = await Promise.all([
    get('configmaps', refs.configMaps),
    get('secrets', refs.secrets),
    enableServiceLinks
      ? client.get(`/api/v1/namespaces/${namespace}/services`).then((l: Obj) => l.items ?? [])
      : Promise.resolve([]),
    client.find(`/api/v1/namespaces/${MASTER_NAMESPACE}/services/${MASTER_SERVICE}`),
  ]);
  const services: Obj[] = [master ?? FALLBACK_KUBERNETES_SERVICE, ...local];
  for (const s of services) s.metadata.namespace ??= namespace;
  return {
    configMaps,
    secrets,
    serviceEnv: serviceEnvVars(services, namespace, enableServiceLinks),
    allocatable,
  };
}
