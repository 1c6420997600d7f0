// App probe rewrite: the kubelet cannot reach the app through mTLS capture, so its HTTP/TCP/gRPC probes are
// pointed at the agent's status port (`/app-health/<container>/<kind>`), and the agent runs the originals,
// which it reads from ISTIO_KUBE_APP_PROBERS.

import { PROXY_CONTAINER, type Container, type Obj } from './types.js';

const KINDS: [keyof Container & string, string][] = [
  ['readinessProbe', 'readyz'],
  ['livenessProbe', 'livez'],
  ['startupProbe', 'startupz'],
];

function resolvePort(port: unknown, container: Container): unknown {
  if (typeof port !== 'string' || /^\d+$/.test(port)) return typeof port === 'string' ? Number(port) : port;
  const named = (container.ports ?? []).find((p) => p.name === port);
  return named ? named.containerPort : port;
}

/**
 * Rewrites probes of every app container in place; returns the prober map for ISTIO_KUBE_APP_PROBERS, or
 * undefined when no probe was rewritten.
 */
export function rewriteAppProbes(containers: Container[], statusPort: number): Obj | undefined {
  const probers: Obj = {};
  for (const c of containers) {
    if (c.name === PROXY_CONTAINER) continue;
    for (const [field, suffix] of KINDS) {
      const probe = c[field] as Obj | undefined;
      if (!probe) continue;
      const path = `/app-health/${c.name}/${suffix}`;
      const original: Obj = {};
      if (probe.httpGet) {
        const get = { ...(probe.httpGet as Obj) };
        get.port = resolvePort(get.port, c);
        original.httpGet = get;
      } else if (probe.tcpSocket) {
        const tcp = { ...(probe.tcpSocket as Obj) };
        tcp.port = resolvePort(tcp.port, c);
        original.tcpSocket = tcp;
      } else if (probe.grpc) {
        original.grpc = probe.grpc;
      } else {
        continue; // exec probes run in the app container and need no rewrite
      }
      if (probe.timeoutSeconds !== undefined) original.timeoutSeconds = probe.timeoutSeconds;
      probers[path] = original;
      const rewritten: Obj = { ...probe };
      delete rewritten.tcpSocket;
      delete rewritten.grpc;
      const headers = (probe.httpGet as Obj | undefined)?.httpHeaders;
      rewritten.httpGet = {
        path,
        port: statusPort,
        scheme: 'HTTP',
        ...(headers ? { httpHeaders: headers } : {}),
      };
      c[field] = rewritten;
    }
  }
  return Object.keys(probers).length ? probers : undefined;
}
