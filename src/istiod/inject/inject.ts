// injectPod: the pure mutation of a pod by the sidecar or gateway template, plus the RFC 6902 patch from the
// original pod to the result (what the webhook returns).

import fjp from 'fast-json-patch';
import { resolveParams, revisionName, type InjectParams } from './params.js';
import { rewriteAppProbes } from './probes.js';
import {
  canonicalLabels,
  captureSettings,
  cniAnnotations,
  initContainer,
  proxyContainer,
  proxyVolumes,
  type ProxyOptions,
} from './templates.js';
import {
  PROXY_CONTAINER,
  STATUS_ANNOTATION,
  TEMPLATES_ANNOTATION,
  type Container,
  type InjectionContext,
  type JsonPatchOp,
  type Obj,
  type Pod,
} from './types.js';

export interface InjectResult {
  /** The mutated pod (a copy; the input is not modified). */
  pod: Pod;
  /** RFC 6902 operations turning the input pod into `pod`; empty when nothing was injected. */
  patch: JsonPatchOp[];
  injected: boolean;
  /** Why the pod was left alone, when it was. */
  skipped?: string;
}

const KNOWN_TEMPLATES = new Set(['sidecar', 'gateway']);

export function selectTemplates(pod: Pod, ctx: InjectionContext): string[] {
  const requested = pod.metadata?.annotations?.[TEMPLATES_ANNOTATION];
  const names = requested
    ? requested
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : (ctx.config.defaultTemplates ?? ctx.values.sidecarInjectorWebhook?.defaultTemplates ?? ['sidecar']);
  const resolved = names.flatMap((n) => ctx.config.aliases?.[n] ?? [n]);
  for (const n of resolved)
    if (!KNOWN_TEMPLATES.has(n)) throw new Error(`requested template "${n}" not found`);
  return [...new Set(resolved)];
}

/** Strategic merge of the user's own `istio-proxy` fields over the template's (partial overrides). */
function overlayUserProxy(template: Container, user: Container | undefined): Container {
  if (!user) return template;
  const out: Container = { ...template };
  for (const [k, v] of Object.entries(user)) {
    if (k === 'image' && v === 'auto') continue;
    if (v === undefined) continue;
    const key =
      k === 'env' ? 'name' : k === 'volumeMounts' ? 'mountPath' : k === 'ports' ? 'containerPort' : '';
    const base = out[k];
    if (key && Array.isArray(v) && Array.isArray(base)) {
      const merged = (base as Obj[]).map((b) => {
        const u = (v as Obj[]).find((x) => x[key] === b[key]);
        return u ? { ...b, ...u } : b;
      });
      for (const u of v as Obj[]) if (!merged.some((m) => m[key] === u[key])) merged.push(u);
      out[k] = merged;
    } else out[k] = v;
  }
  return out;
}

function setEnv(c: Container, name: string, value: string): void {
  const env = (c.env ??= []);
  const existing = env.find((e) => e.name === name);
  if (existing) existing.value = value;
  else env.push({ name, value });
}

/** Upstream's Prometheus merge: the app's scrape settings move to the agent, which serves both on 15020. */
function prometheusMerge(pod: Pod, proxy: Container, p: InjectParams, ctx: InjectionContext): void {
  const annotations = (pod.metadata!.annotations ??= {});
  if (ctx.mesh.enablePrometheusMerge === false) return;
  if (annotations['prometheus.istio.io/merge-metrics'] === 'false') return;
  const scrape = annotations['prometheus.io/scrape'];
  if (scrape === 'false') return;
  const user = { scrape, path: annotations['prometheus.io/path'], port: annotations['prometheus.io/port'] };
  if (user.scrape !== undefined || user.path !== undefined || user.port !== undefined)
    setEnv(
      proxy,
      'ISTIO_PROMETHEUS_ANNOTATIONS',
      JSON.stringify({ scrape: user.scrape ?? '', path: user.path ?? '', port: user.port ?? '' }),
    );
  annotations['prometheus.io/port'] = String(p.statusPort);
  annotations['prometheus.io/path'] = '/stats/prometheus';
  annotations['prometheus.io/scrape'] = 'true';
}

function withoutNamed<T extends { name?: unknown }>(list: T[] | undefined, names: Set<string>): T[] {
  return (list ?? []).filter((x) => !names.has(String(x.name)));
}

export function injectPod(input: Pod, ctx: InjectionContext): InjectResult {
  const original = structuredClone(input);
  if (original.metadata) delete original.metadata.managedFields;
  const unchanged = (skipped: string): InjectResult => ({
    pod: original,
    patch: [],
    injected: false,
    skipped,
  });
  if (original.metadata?.annotations?.[STATUS_ANNOTATION] !== undefined) return unchanged('already injected');
  if (original.spec?.hostNetwork) return unchanged('pod uses hostNetwork');
  if (!original.spec?.containers?.length) throw new Error('pod has no containers');

  const templates = selectTemplates(original, ctx);
  const gateway = templates.includes('gateway');
  const pod = structuredClone(original);
  const meta = (pod.metadata ??= {});
  const spec = pod.spec!;
  const p = resolveParams(pod, ctx);
  const proxyValues = (ctx.values.global?.proxy ?? {}) as Obj;
  const gv = ctx.values.global?.proxy ?? {};
  const logLevel = ctx.values.global?.logging?.level ?? 'default:info';

  const userProxy = spec.containers!.find((c) => c.name === PROXY_CONTAINER);
  const appContainers = spec.containers!.filter((c) => c.name !== PROXY_CONTAINER);
  const opts: ProxyOptions = {
    role: gateway ? 'router' : 'sidecar',
    appContainers,
    logLevel,
    proxyLogLevel: p.annotations['sidecar.istio.io/logLevel'] ?? gv.logLevel ?? 'warning',
    componentLogLevel:
      p.annotations['sidecar.istio.io/componentLogLevel'] ?? gv.componentLogLevel ?? 'misc:error',
    extraEnv: ctx.extraEnv ?? {},
    readiness: {
      initialDelaySeconds: Number(
        p.annotations['readiness.status.sidecar.istio.io/initialDelaySeconds'] ??
          gv.readinessInitialDelaySeconds ??
          0,
      ),
      periodSeconds: Number(
        p.annotations['readiness.status.sidecar.istio.io/periodSeconds'] ?? gv.readinessPeriodSeconds ?? 15,
      ),
      failureThreshold: Number(
        p.annotations['readiness.status.sidecar.istio.io/failureThreshold'] ??
          gv.readinessFailureThreshold ??
          4,
      ),
    },
    startupProbe:
      gv.startupProbe?.enabled === false
        ? undefined
        : { failureThreshold: gv.startupProbe?.failureThreshold ?? 600 },
  };
  let proxy = overlayUserProxy(proxyContainer(p, opts), userProxy);
  if (p.holdApplication && !ctx.nativeSidecars)
    proxy.lifecycle ??= { postStart: { exec: { command: ['pilot-agent', 'wait'] } } };

  const capture = captureSettings(p, proxyValues);
  const captureOn = !gateway && p.interceptionMode !== 'NONE';
  const init = captureOn ? initContainer(p, capture, logLevel) : undefined;

  // Labels and annotations.
  const labels = (meta.labels ??= {});
  if (!gateway) labels['security.istio.io/tlsMode'] = 'istio';
  Object.assign(labels, canonicalLabels(p));
  if (p.network && labels['topology.istio.io/network'] === undefined)
    labels['topology.istio.io/network'] = p.network;
  const annotations = (meta.annotations ??= {});
  annotations['istio.io/rev'] = revisionName(ctx.revision);
  if (!gateway && appContainers.length) {
    annotations['kubectl.kubernetes.io/default-container'] ??= appContainers[0]!.name;
    annotations['kubectl.kubernetes.io/default-logs-container'] ??= appContainers[0]!.name;
  }
  if (!gateway && p.cni) Object.assign(annotations, cniAnnotations(p, capture, pod));
  Object.assign(
    annotations,
    ctx.config.injectedAnnotations ?? ctx.values.sidecarInjectorWebhook?.injectedAnnotations,
  );

  // Post-processing: probes and metrics, then the status marker.
  const rewrite =
    (ctx.values.sidecarInjectorWebhook?.rewriteAppHTTPProbe ?? true) &&
    annotations['sidecar.istio.io/rewriteAppHTTPProbers'] !== 'false' &&
    !gateway;
  if (rewrite) {
    const probers = rewriteAppProbes(appContainers, p.statusPort);
    if (probers) setEnv(proxy, 'ISTIO_KUBE_APP_PROBERS', JSON.stringify(probers));
  }
  prometheusMerge(pod, proxy, p, ctx);

  const volumes = proxyVolumes(p, ctx.values.global?.sds?.token?.aud ?? 'istio-ca');
  const injectedNames = new Set(volumes.map((v) => String(v.name)));
  spec.volumes = [...withoutNamed(spec.volumes, injectedNames), ...volumes];

  // Placement: istio-init last among init containers (others keep network access), the proxy last among
  // containers (first when the app must wait for it), or a native sidecar right after istio-init.
  const initNames = new Set([init?.name ?? '', PROXY_CONTAINER]);
  const userInit = withoutNamed(spec.initContainers, initNames);
  let initContainers: Container[] = init ? [...userInit, init] : userInit;
  let containers = appContainers;
  if (ctx.nativeSidecars) {
    proxy = { ...proxy, restartPolicy: 'Always' };
    initContainers = init ? [...userInit, init, proxy] : [proxy, ...userInit];
  } else containers = p.holdApplication ? [proxy, ...appContainers] : [...appContainers, proxy];
  if (initContainers.length) spec.initContainers = initContainers;
  else delete spec.initContainers;
  spec.containers = containers;

  if (gateway) {
    const sc = (spec.securityContext ??= {});
    const sysctls = ((sc.sysctls as Obj[] | undefined) ?? []).filter(
      (s) => s.name !== 'net.ipv4.ip_unprivileged_port_start',
    );
    sc.sysctls = [...sysctls, { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
  }

  const statusInit = [...(init ? [init.name] : []), ...(ctx.nativeSidecars ? [PROXY_CONTAINER] : [])];
  annotations[STATUS_ANNOTATION] = JSON.stringify({
    initContainers: statusInit.length ? statusInit : null,
    containers: ctx.nativeSidecars ? null : [PROXY_CONTAINER],
    volumes: [...injectedNames],
    imagePullSecrets: null,
    revision: revisionName(ctx.revision),
  });

  const patch = fjp.compare(original, pod) as JsonPatchOp[];
  return { pod, patch, injected: true };
}
